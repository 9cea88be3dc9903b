import { createServiceApp } from '@app/messaging';
import { checkStore } from '@app/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { PagerConfig } from './pager.config';
import { PagerModule, pagerMessaging } from './pager.module';

/** The pager app, ready to `listen` (used by main.ts and by the end-to-end tests). */
export async function createPagerApp(config: PagerConfig): Promise<NestFastifyApplication> {
  // A wrong or unreachable DATABASE_URL stops the start here, with one line.
  await checkStore(config);
  const consumer = config.TRANSPORT === 'rmq' ? pagerMessaging(config) : undefined;
  return createServiceApp(PagerModule.forRoot(config), config, consumer);
}
