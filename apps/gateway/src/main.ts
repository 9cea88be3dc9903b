import './telemetry';
import 'reflect-metadata';
import { loadConfig, runMain } from '@app/platform';
import { Logger } from '@nestjs/common';
import { createGatewayApp } from './bootstrap';
import { GatewayConfig } from './gateway.config';

runMain('gateway', async () => {
  const config = loadConfig(GatewayConfig);
  const app = await createGatewayApp(config);
  await app.listen(config.GATEWAY_PORT, config.HOST);
  new Logger('gateway').log(
    `Listening on http://${config.HOST}:${config.GATEWAY_PORT}: /orders, /board, /downstreams → ${config.ORDER_UPSTREAMS}; /brews → ${config.BARISTA_UPSTREAMS}; /buzzes → ${config.PAGER_UPSTREAMS}`,
  );
});
