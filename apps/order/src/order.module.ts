import { RmqEventPublisher, RmqMessagingModule, rmqMessagingOptions } from '@app/messaging';
import {
  DownstreamHealthCheck,
  HealthController,
  MetricsModule,
  READINESS_CHECKS,
  type ReadinessCheck,
  SERVICE_IDENTITY,
} from '@app/platform';
import {
  hours,
  Outbox,
  OutboxRelay,
  OutboxStore,
  PgDatabase,
  PgOutbox,
  postgresStore,
  ProcessedMessages,
  SqliteDatabase,
  SqliteLease,
  StorageModule,
} from '@app/storage';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { MarkOrderReadyHandler } from './application/commands/mark-order-ready/mark-order-ready.handler';
import { MarkOrderReadyMessageController } from './application/commands/mark-order-ready/mark-order-ready.message.controller';
import { PlaceOrderHandler } from './application/commands/place-order/place-order.handler';
import { PlaceOrderHttpController } from './application/commands/place-order/place-order.http.controller';
import { RecordBrewStartedHandler } from './application/commands/record-brew-started/record-brew-started.handler';
import { RecordBrewStartedMessageController } from './application/commands/record-brew-started/record-brew-started.message.controller';
import { OrderUnitOfWork } from './application/order-unit-of-work';
import { BaristaClient } from './application/ports/barista-client.port';
import { OrderHandOver } from './application/ports/order-hand-over.port';
import { OrderStatusFeed } from './application/ports/order-status-feed.port';
import { OrderRepository } from './application/ports/order.repository';
import { PagerClient } from './application/ports/pager-client.port';
import { BrewAndBuzzProcess } from './application/processes/brew-and-buzz.process';
import { GetOrderHandler, ListOrdersHandler } from './application/queries/order.query-handlers';
import { DownstreamCalls } from './infrastructure/downstream-calls';
import { HttpBaristaClient } from './infrastructure/http-barista.client';
import { HttpPagerClient } from './infrastructure/http-pager.client';
import { InProcessOrderStatusFeed } from './infrastructure/in-process-order-status-feed';
import { OrderMetrics } from './infrastructure/order-metrics';
import { orderMigrations, pgOrderMigrations } from './infrastructure/order.schema';
import { OutboxHandOver, publishStored } from './infrastructure/outbox-hand-over';
import { PgOrderStatusFeed } from './infrastructure/pg-order-status-feed';
import { PgOrderRepository } from './infrastructure/pg-order.repository';
import { SqliteOrderRepository } from './infrastructure/sqlite-order.repository';
import { BoardHttpController } from './interface/board.http.controller';
import { DownstreamsHttpController } from './interface/downstreams.http.controller';
import { HandOverFailedFilter } from './interface/hand-over-failed.filter';
import { OrderStreamHttpController } from './interface/order-stream.http.controller';
import { OrdersHttpController } from './interface/orders.http.controller';
import { OrderConfig } from './order.config';

const commandHandlers = [PlaceOrderHandler, RecordBrewStartedHandler, MarkOrderReadyHandler];
const queryHandlers = [GetOrderHandler, ListOrdersHandler];
const messageControllers = [RecordBrewStartedMessageController, MarkOrderReadyMessageController];

/**
 * The counter's composition root: the adapters wired here are chosen by TRANSPORT and by the
 * store (DATABASE_URL: PostgreSQL shared by every instance; unset: this instance's SQLite file),
 * once.
 */
@Module({})
export class OrderModule {
  /** `lease`: this process's hold on its SQLite file, released at shutdown (see bootstrap). */
  static forRoot(config: OrderConfig, lease?: SqliteLease): DynamicModule {
    const rmq = config.TRANSPORT === 'rmq';
    const postgres = postgresStore(config, 'order', pgOrderMigrations);
    return {
      module: OrderModule,
      imports: [
        CqrsModule.forRoot(),
        MetricsModule.forRoot('order'),
        // Under rmq the order's events are kept in an outbox beside it until confirmed.
        StorageModule.forRoot({
          path: config.ORDER_DB_PATH,
          migrations: orderMigrations,
          postgres,
          outbox: rmq,
          processedRetentionMs: hours(config.PROCESSED_RETENTION_HOURS),
        }),
        ...(rmq ? [RmqMessagingModule.forRoot(orderMessaging(config))] : []),
      ],
      controllers: [
        HealthController,
        PlaceOrderHttpController,
        OrdersHttpController,
        OrderStreamHttpController,
        BoardHttpController,
        ...(rmq ? messageControllers : [DownstreamsHttpController]),
      ],
      providers: [
        { provide: OrderConfig, useValue: config },
        { provide: SERVICE_IDENTITY, useValue: { service: 'order', transport: config.TRANSPORT } },
        { provide: APP_FILTER, useClass: HandOverFailedFilter },
        ...(postgres ? onPostgres(config) : onSqlite),
        ...(lease ? [{ provide: SqliteLease, useValue: lease }] : []),
        ...(rmq ? [outboxRelay(postgres ? config.OUTBOX_SWEEP_MS : 0)] : httpClients),
        { provide: OrderHandOver, useClass: rmq ? OutboxHandOver : BrewAndBuzzProcess },
        OrderUnitOfWork,
        DownstreamCalls,
        OrderMetrics,
        // Under rmq, RmqMessagingModule provides the broker's check.
        ...(rmq ? [] : [{ provide: READINESS_CHECKS, useValue: downstreamChecks(config) }]),
        ...commandHandlers,
        ...queryHandlers,
      ],
    };
  }
}

/** Barista and pager over HTTP, for the brew-and-buzz process (http only). */
const httpClients = [
  { provide: BaristaClient, useClass: HttpBaristaClient },
  { provide: PagerClient, useClass: HttpPagerClient },
];

/** One instance on its own SQLite file: the orders there, the live feed in this process. */
const onSqlite: Provider[] = [
  {
    provide: OrderRepository,
    useFactory: (db: SqliteDatabase, processed: ProcessedMessages, outbox?: Outbox) =>
      new SqliteOrderRepository(db, processed, outbox),
    inject: [SqliteDatabase, ProcessedMessages, { token: Outbox, optional: true }],
  },
  { provide: OrderStatusFeed, useClass: InProcessOrderStatusFeed },
];

/** Every instance on one PostgreSQL schema: the orders there, the live feed over LISTEN/NOTIFY. */
function onPostgres(config: OrderConfig): Provider[] {
  return [
    {
      provide: OrderRepository,
      useFactory: (db: PgDatabase, outbox?: PgOutbox) => new PgOrderRepository(db, outbox),
      inject: [PgDatabase, { token: PgOutbox, optional: true }],
    },
    {
      provide: OrderStatusFeed,
      useFactory: (db: PgDatabase) => new PgOrderStatusFeed(db, config.DATABASE_URL!),
      inject: [PgDatabase],
    },
  ];
}

/**
 * Publishes the outbox's events with the confirm-channel publisher (rmq only). On a shared
 * outbox every instance runs one, and each also sweeps every `sweepMs`: a relay is poked only by
 * its own instance's orders, and the rows of an instance that died wait for someone to look.
 */
function outboxRelay(sweepMs: number): Provider {
  return {
    provide: OutboxRelay,
    useFactory: (outbox: OutboxStore, publisher: RmqEventPublisher) =>
      new OutboxRelay(outbox, (event) => publishStored(publisher, event), { sweepMs }),
    inject: [OutboxStore, RmqEventPublisher],
  };
}

export function orderMessaging(config: OrderConfig) {
  return rmqMessagingOptions(config, 'order', config.ORDER_PREFETCH);
}

/** Under http, the counter can take orders only while barista and pager answer their /health. */
function downstreamChecks(config: OrderConfig): ReadinessCheck[] {
  // Short, so that a hung downstream makes order's /health answer "not ready", not hang too.
  const timeoutMs = (limit: number) => Math.min(1000, limit);
  return [
    new DownstreamHealthCheck(
      'barista',
      config.BARISTA_URL.split(','),
      timeoutMs(config.BARISTA_TIMEOUT_MS),
    ),
    new DownstreamHealthCheck(
      'pager',
      config.PAGER_URL.split(','),
      timeoutMs(config.PAGER_TIMEOUT_MS),
    ),
  ];
}
