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
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BrewCoffeeHandler } from './application/commands/brew-coffee/brew-coffee.handler';
import { BrewCoffeeHttpController } from './application/commands/brew-coffee/brew-coffee.http.controller';
import { BrewCoffeeMessageController } from './application/commands/brew-coffee/brew-coffee.message.controller';
import { BrewPace } from './application/brew-pace';
import { BREW_SETTINGS, BrewEvents } from './application/ports/brew-events.port';
import { GetBarStatusHandler } from './application/queries/get-bar-status.handler';
import { BaristaConfig } from './barista.config';
import { BrewLog } from './domain/brew-log';
import { EspressoMachines } from './domain/espresso-machines';
import { baristaMigrations, baristaPgMigrations } from './infrastructure/barista.schema';
import { InResponseBrewEvents } from './infrastructure/in-response-brew-events';
import { PgBrewLog } from './infrastructure/pg-brew-log';
import { RmqBrewEvents } from './infrastructure/rmq-brew-events';
import { SqliteBrewLog } from './infrastructure/sqlite-brew-log';
import { BrewSlowdownHttpController } from './interface/brew-slowdown.http.controller';
import { BrewsHttpController } from './interface/brews.http.controller';

const commandHandlers = [BrewCoffeeHandler];
const queryHandlers = [GetBarStatusHandler];

/** The brew log on the store the config chose (DATABASE_URL: PostgreSQL, else SQLite). */
const brewLogs = {
  sqlite: {
    provide: BrewLog,
    useFactory: (db: SqliteDatabase, processed: ProcessedMessages) =>
      new SqliteBrewLog(db, processed),
    inject: [SqliteDatabase, ProcessedMessages],
  },
  postgres: {
    provide: BrewLog,
    useFactory: (db: PgDatabase, processed: PgProcessedMessages) => new PgBrewLog(db, processed),
    inject: [PgDatabase, PgProcessedMessages],
  },
};

/**
 * The barista's composition root: the adapters wired here are chosen by TRANSPORT and by the
 * store (DATABASE_URL), once.
 */
@Module({})
export class BaristaModule {
  static forRoot(config: BaristaConfig): DynamicModule {
    const rmq = config.TRANSPORT === 'rmq';
    return {
      module: BaristaModule,
      imports: [
        CqrsModule.forRoot(),
        MetricsModule.forRoot('barista'),
        StorageModule.forRoot({
          path: baristaDbPath(config),
          migrations: baristaMigrations,
          postgres: postgresStore(config, 'barista', baristaPgMigrations),
          processedRetentionMs: hours(config.PROCESSED_RETENTION_HOURS),
        }),
        ...(rmq ? [RmqMessagingModule.forRoot(baristaMessaging(config))] : []),
      ],
      controllers: [
        HealthController,
        BrewsHttpController,
        rmq ? BrewCoffeeMessageController : BrewCoffeeHttpController,
        ...(config.FAULT_INJECTION === 'on' ? [BrewSlowdownHttpController] : []),
      ],
      providers: [
        { provide: BaristaConfig, useValue: config },
        {
          provide: SERVICE_IDENTITY,
          useValue: { service: 'barista', transport: config.TRANSPORT },
        },
        {
          provide: BrewPace,
          useValue: new BrewPace(
            config.BARISTA_ID ?? `${hostname()}:${process.pid}`,
            config.BREW_MS,
            config.BREW_CLAIM_LEASE_MS,
          ),
        },
        { provide: BREW_SETTINGS, useExisting: BrewPace },
        { provide: EspressoMachines, useValue: new EspressoMachines(config.ESPRESSO_MACHINES) },
        brewLogs[storeKind(config)],
        { provide: BrewEvents, useClass: rmq ? RmqBrewEvents : InResponseBrewEvents },
        ...commandHandlers,
        ...queryHandlers,
      ],
    };
  }
}

export function baristaMessaging(config: BaristaConfig) {
  return rmqMessagingOptions(
    config,
    'barista',
    config.BARISTA_PREFETCH ?? 2 * config.ESPRESSO_MACHINES,
  );
}

/**
 * The brew log's file: BARISTA_DB_PATH, else named after BARISTA_ID (or the host, not the pid,
 * which changes on every restart), so that a restarted barista finds its brews again.
 */
export function baristaDbPath(config: BaristaConfig): string {
  if (config.BARISTA_DB_PATH) return config.BARISTA_DB_PATH;
  const name = (config.BARISTA_ID ?? hostname()).replace(/[^\w.-]+/g, '-');
  return join('data', `barista-${name}.sqlite`);
}
