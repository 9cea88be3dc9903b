import './telemetry';
import 'reflect-metadata';
import { loadConfig, runMain } from '@app/platform';
import { Logger } from '@nestjs/common';
import { BaristaConfig } from './barista.config';
import { createBaristaApp } from './bootstrap';

runMain('barista', async () => {
  const config = loadConfig(BaristaConfig);
  const app = await createBaristaApp(config);
  await app.listen(config.BARISTA_PORT, config.HOST);
  new Logger('barista').log(
    `Listening on http://${config.HOST}:${config.BARISTA_PORT} (TRANSPORT=${config.TRANSPORT}, ` +
      `BREW_MS=${config.BREW_MS}, ESPRESSO_MACHINES=${config.ESPRESSO_MACHINES})`,
  );
});
