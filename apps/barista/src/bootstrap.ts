import { createServiceApp } from '@app/messaging';
import { checkStore } from '@app/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BaristaConfig } from './barista.config';
import { BaristaModule, baristaMessaging } from './barista.module';

/** The barista app, ready to `listen` (used by main.ts and by the end-to-end tests). */
export async function createBaristaApp(config: BaristaConfig): Promise<NestFastifyApplication> {
  // A wrong or unreachable DATABASE_URL stops the start here, with one line.
  await checkStore(config);
  const consumer = config.TRANSPORT === 'rmq' ? baristaMessaging(config) : undefined;
  return createServiceApp(BaristaModule.forRoot(config), config, consumer);
}
