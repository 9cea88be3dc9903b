import { type DynamicModule, Module } from '@nestjs/common';
import { Outbox, outboxSchema } from './outbox';
import {
  ProcessedMessages,
  processedMessagesAgeIndex,
  ProcessedMessagesPruner,
  processedMessagesSchema,
} from './processed-messages';
import { type Migration, SqliteDatabase, type Synchronous } from './sqlite-database';

export interface StorageOptions {
  /** The app's database file (see {@link SqliteDatabase.open}). */
  readonly path: string;
  /** The app's own schema, applied after the library's tables. */
  readonly migrations: readonly Migration[];
  /** Also provide an {@link Outbox} (and create its table). */
  readonly outbox?: boolean;
  readonly synchronous?: Synchronous;
  /** How long the ids of handled messages are kept (ms); 0 keeps them for ever (default). */
  readonly processedRetentionMs?: number;
}

/** The library's own tables, applied before an app's: processed ids and, if asked, the outbox. */
export function storageMigrations(outbox: boolean): Migration[] {
  return [processedMessagesSchema, processedMessagesAgeIndex, ...(outbox ? [outboxSchema] : [])];
}

/** Hours in milliseconds, for {@link StorageOptions.processedRetentionMs}. */
export const hours = (h: number): number => h * 3_600_000;

/**
 * One app's durable storage: its SQLite database (opened and migrated at start-up, closed at
 * shutdown), the ids of the messages it has handled (forgotten after `processedRetentionMs`),
 * and, if asked, an outbox.
 */
@Module({})
export class StorageModule {
  static forRoot(options: StorageOptions): DynamicModule {
    const migrations = [...storageMigrations(options.outbox === true), ...options.migrations];
    const providers = [
      {
        provide: SqliteDatabase,
        useFactory: () => SqliteDatabase.open({ ...options, migrations }),
      },
      {
        provide: ProcessedMessages,
        useFactory: (db: SqliteDatabase) => new ProcessedMessages(db),
        inject: [SqliteDatabase],
      },
      ...(options.outbox
        ? [
            {
              provide: Outbox,
              useFactory: (db: SqliteDatabase) => new Outbox(db),
              inject: [SqliteDatabase],
            },
          ]
        : []),
    ];
    const pruner = {
      provide: ProcessedMessagesPruner,
      useFactory: (processed: ProcessedMessages) =>
        new ProcessedMessagesPruner(processed, { retentionMs: options.processedRetentionMs ?? 0 }),
      inject: [ProcessedMessages],
    };
    return {
      module: StorageModule,
      providers: [...providers, pruner],
      exports: providers.map((provider) => provider.provide),
    };
  }
}
