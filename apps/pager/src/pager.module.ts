import { RmqMessagingModule, rmqMessagingOptions } from '@app/messaging';
import { HealthController, MetricsModule, SERVICE_IDENTITY } from '@app/platform';
import { hours, ProcessedMessages, SqliteDatabase, StorageModule } from '@app/storage';
import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { BuzzStream } from './application/buzz-stream';
import { BuzzCustomerHandler } from './application/commands/buzz-customer/buzz-customer.handler';
import { BuzzCustomerHttpController } from './application/commands/buzz-customer/buzz-customer.http.controller';
import { BuzzCustomerMessageController } from './application/commands/buzz-customer/buzz-customer.message.controller';
import { GetBuzzHandler, ListBuzzesHandler } from './application/queries/list-buzzes.handler';
import { BuzzRepository } from './domain/buzz.repository';
import { pagerMigrations } from './infrastructure/pager.schema';
import { SqliteBuzzRepository } from './infrastructure/sqlite-buzz.repository';
import { BuzzesHttpController } from './interface/buzzes.http.controller';
import { PagerConfig } from './pager.config';

const commandHandlers = [BuzzCustomerHandler];
const queryHandlers = [ListBuzzesHandler, GetBuzzHandler];
const eventHandlers = [BuzzStream];

/** The pager's composition root: the adapters wired here are chosen by TRANSPORT, once. */
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
        {
          provide: BuzzRepository,
          useFactory: (db: SqliteDatabase, processed: ProcessedMessages) =>
            new SqliteBuzzRepository(db, processed),
          inject: [SqliteDatabase, ProcessedMessages],
        },
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
