import { createServiceApp } from '@app/messaging';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OrderConfig } from './order.config';
import { OrderModule, orderMessaging } from './order.module';

/** The order app, ready to `listen` (used by main.ts and by the end-to-end tests). */
export function createOrderApp(config: OrderConfig): Promise<NestFastifyApplication> {
  const consumer = config.TRANSPORT === 'rmq' ? orderMessaging(config) : undefined;
  return createServiceApp(OrderModule.forRoot(config), config, consumer);
}
