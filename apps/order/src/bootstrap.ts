import { ConfigError } from '@app/platform';
import { createServiceApp } from '@app/messaging';
import { checkStore, LeaseHeldError, seconds, SqliteLease, storeKind } from '@app/storage';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OrderConfig } from './order.config';
import { OrderModule, orderMessaging } from './order.module';

/** The order app, ready to `listen` (used by main.ts and by the end-to-end tests). */
export async function createOrderApp(config: OrderConfig): Promise<NestFastifyApplication> {
  // A wrong or unreachable DATABASE_URL stops the start here, with one line.
  await checkStore(config);
  // So does a second order process on the same SQLite file.
  const lease = await holdSqliteFile(config);
  const consumer = config.TRANSPORT === 'rmq' ? orderMessaging(config) : undefined;
  try {
    const app = await createServiceApp(OrderModule.forRoot(config, lease), config, consumer);
    if (lease) lease.onLost = (holder) => stopOnLostLease(app, config, holder);
    return app;
  } catch (error) {
    lease?.release();
    throw error;
  }
}

/**
 * On SQLite order runs as one process per file: its board feed is in its process, and its
 * outbox relay assumes it is alone. The lease makes a second process refuse to start.
 */
async function holdSqliteFile(config: OrderConfig): Promise<SqliteLease | undefined> {
  if (storeKind(config) !== 'sqlite' || config.ORDER_DB_PATH === ':memory:') return undefined;
  try {
    return await SqliteLease.acquire(config.ORDER_DB_PATH, 'order');
  } catch (error) {
    if (!(error instanceof LeaseHeldError)) throw error;
    throw new ConfigError(
      `ORDER_DB_PATH=${config.ORDER_DB_PATH} is in use by another order instance ` +
        `(${error.holder}, seen ${seconds(error.seenMsAgo)} ago): on SQLite order runs as one ` +
        'instance; several need DATABASE_URL (PostgreSQL, docs/stores.md)',
    );
  }
}

/**
 * Another process took the file over while this one was frozen past the lapse: two orders now
 * share it, the very thing the lease prevents. This one is the stale one, so it stops (requests
 * in flight are answered; what it stored stays in the file for the other) and exits with 1.
 */
function stopOnLostLease(app: NestFastifyApplication, config: OrderConfig, holder: string): void {
  new Logger('order').error(
    `Lost ORDER_DB_PATH=${config.ORDER_DB_PATH} to another order instance (${holder}) while ` +
      'this one did not renew its lease: stopping, so that one order runs on the file',
  );
  process.exitCode = 1;
  void app.close();
}
