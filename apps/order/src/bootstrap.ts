import { createServiceApp } from '@app/messaging';
import { checkStore } from '@app/storage';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OrderConfig } from './order.config';
import { OrderModule, orderMessaging } from './order.module';

/** The order app, ready to `listen` (used by main.ts and by the end-to-end tests). */
export async function createOrderApp(config: OrderConfig): Promise<NestFastifyApplication> {
  // A wrong or unreachable DATABASE_URL stops the start here, with one line.
  await checkStore(config);
  const consumer = config.TRANSPORT === 'rmq' ? orderMessaging(config) : undefined;
  return createServiceApp(OrderModule.forRoot(config), config, consumer);
}
