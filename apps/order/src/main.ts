import './telemetry';
import 'reflect-metadata';
import { loadConfig, runMain } from '@app/platform';
import { Logger } from '@nestjs/common';
import { createOrderApp } from './bootstrap';
import { OrderConfig } from './order.config';

runMain('order', async () => {
  const config = loadConfig(OrderConfig);
  const app = await createOrderApp(config);
  await app.listen(config.ORDER_PORT, config.HOST);
  new Logger('order').log(
    `Listening on http://${config.HOST}:${config.ORDER_PORT} (TRANSPORT=${config.TRANSPORT})`,
  );
});
