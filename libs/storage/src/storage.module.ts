import { DATABASE_CHECK } from '@app/platform';
import { APP_FILTER } from '@nestjs/core';
import { type DynamicModule, type InjectionToken, Module, type Provider } from '@nestjs/common';
import { Outbox, outboxSchema, OutboxStore } from './outbox';
import { PgDatabase } from './pg-database';
import { PgOutbox, pgOutboxSchema } from './pg-outbox';
import { PgProcessedMessages, pgProcessedMessagesSchema } from './pg-processed-messages';
import {
  type ForgetsProcessedMessages,
  ProcessedMessages,
  processedMessagesAgeIndex,
  ProcessedMessagesPruner,
  processedMessagesSchema,
} from './processed-messages';
import { type Migration, SqliteDatabase, type Synchronous } from './sqlite-database';
import { StoreUnavailableFilter } from './store-unavailable';
import type { StoreConfig } from './store-config';

/** A context's PostgreSQL store: where, how many connections, and its schema's steps. */
export interface PostgresStoreOptions {
  readonly url: string;
  readonly poolMax: number;
  /** The schema the context owns (its name, after DATABASE_SCHEMA_PREFIX). */
  readonly schema: string;
  /** The context's own steps, in PostgreSQL, applied after the library's tables. */
  readonly migrations: readonly Migration[];
}

export interface StorageOptions {
  /** The app's SQLite file (see {@link SqliteDatabase.open}), when it runs on SQLite. */
  readonly path: string;
  /** The app's own SQLite schema, applied after the library's tables. */
  readonly migrations: readonly Migration[];
  /**
   * Given: the app runs on this PostgreSQL schema instead of the SQLite file (see
   * {@link postgresStore}); `path`, `migrations` and `synchronous` are then unused.
   */
  readonly postgres?: PostgresStoreOptions;
  /** Also provide an outbox (and create its table): {@link OutboxStore} for the relay. */
  readonly outbox?: boolean;
  readonly synchronous?: Synchronous;
  /** How long the ids of handled messages are kept (ms); 0 keeps them for ever (default). */
  readonly processedRetentionMs?: number;
}

/** The library's own tables, applied before an app's: processed ids and, if asked, the outbox. */
export function storageMigrations(outbox: boolean): Migration[] {
  return [processedMessagesSchema, processedMessagesAgeIndex, ...(outbox ? [outboxSchema] : [])];
}

/** The same tables in PostgreSQL. */
export function pgStorageMigrations(outbox: boolean): Migration[] {
  return [pgProcessedMessagesSchema, ...(outbox ? [pgOutboxSchema] : [])];
}

/**
 * The PostgreSQL options of `context` when the config names a DATABASE_URL, else undefined
 * (SQLite). The schema is the context's name after DATABASE_SCHEMA_PREFIX.
 */
export function postgresStore(
  config: StoreConfig,
  context: string,
  migrations: readonly Migration[],
): PostgresStoreOptions | undefined {
  if (!config.DATABASE_URL) return undefined;
  return {
    url: config.DATABASE_URL,
    poolMax: config.DATABASE_POOL_MAX,
    schema: `${config.DATABASE_SCHEMA_PREFIX ?? ''}${context}`,
    migrations,
  };
}

/** Hours in milliseconds, for {@link StorageOptions.processedRetentionMs}. */
export const hours = (h: number): number => h * 3_600_000;

/**
 * One app's durable storage, on the store its config chose. SQLite: its database file (opened
 * and migrated at start-up, closed at shutdown), {@link ProcessedMessages} and, if asked, the
 * {@link Outbox}. PostgreSQL: a {@link PgDatabase} on the context's schema (connected and
 * migrated at start-up), {@link PgProcessedMessages} and, if asked, the {@link PgOutbox}. Either
 * way: {@link OutboxStore} for the relay, the ids of handled messages forgotten after
 * `processedRetentionMs`, and the `database` readiness check. The app's own adapters are chosen
 * in its composition root, by the same config.
 */
@Module({})
export class StorageModule {
  static forRoot(options: StorageOptions): DynamicModule {
    const outbox = options.outbox === true;
    const providers = options.postgres
      ? postgresProviders(options.postgres, outbox)
      : sqliteProviders(options, outbox);
    const pruner = {
      provide: ProcessedMessagesPruner,
      useFactory: (processed: ForgetsProcessedMessages) =>
        new ProcessedMessagesPruner(processed, { retentionMs: options.processedRetentionMs ?? 0 }),
      inject: [options.postgres ? PgProcessedMessages : ProcessedMessages],
    };
    // A database out of reach answers 503 to HTTP requests, in every controller of the app.
    const unavailable = { provide: APP_FILTER, useClass: StoreUnavailableFilter };
    return {
      module: StorageModule,
      providers: [...providers, pruner, ...(options.postgres ? [unavailable] : [])],
      exports: providers.map((provider) => provider.provide),
    };
  }
}

type Provided = Provider & { provide: InjectionToken };

function sqliteProviders(options: StorageOptions, outbox: boolean): Provided[] {
  const migrations = [...storageMigrations(outbox), ...options.migrations];
  return [
    {
      provide: SqliteDatabase,
      useFactory: () => SqliteDatabase.open({ ...options, migrations }),
    },
    { provide: DATABASE_CHECK, useFactory: (db: SqliteDatabase) => db, inject: [SqliteDatabase] },
    {
      provide: ProcessedMessages,
      useFactory: (db: SqliteDatabase) => new ProcessedMessages(db),
      inject: [SqliteDatabase],
    },
    ...(outbox
      ? [
          {
            provide: Outbox,
            useFactory: (db: SqliteDatabase) => new Outbox(db),
            inject: [SqliteDatabase],
          },
          { provide: OutboxStore, useExisting: Outbox },
        ]
      : []),
  ];
}

function postgresProviders(options: PostgresStoreOptions, outbox: boolean): Provided[] {
  const migrations = [...pgStorageMigrations(outbox), ...options.migrations];
  return [
    {
      provide: PgDatabase,
      // Connected and migrated in its onModuleInit, before any handler or relay runs.
      useFactory: () =>
        new PgDatabase({
          url: options.url,
          schema: options.schema,
          poolMax: options.poolMax,
          migrations,
        }),
    },
    { provide: DATABASE_CHECK, useExisting: PgDatabase },
    {
      provide: PgProcessedMessages,
      useFactory: (db: PgDatabase) => new PgProcessedMessages(db),
      inject: [PgDatabase],
    },
    ...(outbox
      ? [
          {
            provide: PgOutbox,
            useFactory: (db: PgDatabase) => new PgOutbox(db),
            inject: [PgDatabase],
          },
          { provide: OutboxStore, useExisting: PgOutbox },
        ]
      : []),
  ];
}
