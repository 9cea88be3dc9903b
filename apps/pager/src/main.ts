import './telemetry';
import 'reflect-metadata';
import { loadConfig, runMain } from '@app/platform';
import { Logger } from '@nestjs/common';
import { createPagerApp } from './bootstrap';
import { PagerConfig } from './pager.config';

runMain('pager', async () => {
  const config = loadConfig(PagerConfig);
  const app = await createPagerApp(config);
  await app.listen(config.PAGER_PORT, config.HOST);
  new Logger('pager').log(
    `Listening on http://${config.HOST}:${config.PAGER_PORT} (TRANSPORT=${config.TRANSPORT})`,
  );
});
