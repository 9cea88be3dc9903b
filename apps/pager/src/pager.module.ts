import { RmqMessagingModule, rmqMessagingOptions } from '@app/messaging';
import { HealthController, MetricsModule, SERVICE_IDENTITY } from '@app/platform';
import {
  hours,
  PgDatabase,
  PgProcessedMessages,
  postgresStore,
  ProcessedMessages,
  SqliteDatabase,
  StorageModule,
  storeKind,
} from '@app/storage';
import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { BuzzStream } from './application/buzz-stream';
import { BuzzCustomerHandler } from './application/commands/buzz-customer/buzz-customer.handler';
import { BuzzCustomerHttpController } from './application/commands/buzz-customer/buzz-customer.http.controller';
import { BuzzCustomerMessageController } from './application/commands/buzz-customer/buzz-customer.message.controller';
import { GetBuzzHandler, ListBuzzesHandler } from './application/queries/list-buzzes.handler';
import { BuzzFeed } from './application/ports/buzz-feed.port';
import { BuzzRepository } from './domain/buzz.repository';
import { InProcessBuzzFeed } from './infrastructure/in-process-buzz-feed';
import { pagerMigrations, pagerPgMigrations } from './infrastructure/pager.schema';
import { PgBuzzFeed } from './infrastructure/pg-buzz-feed';
import { PgBuzzRepository } from './infrastructure/pg-buzz.repository';
import { SqliteBuzzRepository } from './infrastructure/sqlite-buzz.repository';
import { BuzzesHttpController } from './interface/buzzes.http.controller';
import { PagerConfig } from './pager.config';

const commandHandlers = [BuzzCustomerHandler];
const queryHandlers = [ListBuzzesHandler, GetBuzzHandler];
const eventHandlers = [BuzzStream];

/** The buzzes on the store the config chose (DATABASE_URL: PostgreSQL, else SQLite). */
const buzzRepositories = {
  sqlite: {
    provide: BuzzRepository,
    useFactory: (db: SqliteDatabase, processed: ProcessedMessages) =>
      new SqliteBuzzRepository(db, processed),
    inject: [SqliteDatabase, ProcessedMessages],
  },
  postgres: {
    provide: BuzzRepository,
    useFactory: (db: PgDatabase, processed: PgProcessedMessages) =>
      new PgBuzzRepository(db, processed),
    inject: [PgDatabase, PgProcessedMessages],
  },
};

/** The live buzzes: this process's, or every instance's on PostgreSQL. */
function buzzFeed(config: PagerConfig) {
  return storeKind(config) === 'postgres'
    ? {
        provide: BuzzFeed,
        useFactory: (db: PgDatabase) => new PgBuzzFeed(db, config.DATABASE_URL!),
        inject: [PgDatabase],
      }
    : { provide: BuzzFeed, useClass: InProcessBuzzFeed };
}

/**
 * The pager's composition root: the adapters wired here are chosen by TRANSPORT and by the
 * store (DATABASE_URL), once.
 */
@Module({})
export class PagerModule {
  static forRoot(config: PagerConfig): DynamicModule {
    const rmq = config.TRANSPORT === 'rmq';
    return {
      module: PagerModule,
      imports: [
        CqrsModule.forRoot(),
        MetricsModule.forRoot('pager'),
        StorageModule.forRoot({
          path: config.PAGER_DB_PATH,
          migrations: pagerMigrations,
          postgres: postgresStore(config, 'pager', pagerPgMigrations),
          processedRetentionMs: hours(config.PROCESSED_RETENTION_HOURS),
        }),
        ...(rmq ? [RmqMessagingModule.forRoot(pagerMessaging(config))] : []),
      ],
      controllers: [
        HealthController,
        BuzzesHttpController,
        rmq ? BuzzCustomerMessageController : BuzzCustomerHttpController,
      ],
      providers: [
        { provide: PagerConfig, useValue: config },
        { provide: SERVICE_IDENTITY, useValue: { service: 'pager', transport: config.TRANSPORT } },
        buzzRepositories[storeKind(config)],
        buzzFeed(config),
        ...commandHandlers,
        ...queryHandlers,
        ...eventHandlers,
      ],
    };
  }
}

export function pagerMessaging(config: PagerConfig) {
  return rmqMessagingOptions(config, 'pager', config.PAGER_PREFETCH);
}
