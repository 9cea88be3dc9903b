import { type DynamicModule, Module } from '@nestjs/common';
import { Outbox, outboxSchema } from './outbox';
import { ProcessedMessages, processedMessagesSchema } from './processed-messages';
import { type Migration, SqliteDatabase, type Synchronous } from './sqlite-database';

export interface StorageOptions {
  /** The app's database file (see {@link SqliteDatabase.open}). */
  readonly path: string;
  /** The app's own schema, applied after the library's tables. */
  readonly migrations: readonly Migration[];
  /** Also provide an {@link Outbox} (and create its table). */
  readonly outbox?: boolean;
  readonly synchronous?: Synchronous;
}

/**
 * One app's durable storage: its SQLite database (opened and migrated at start-up, closed at
 * shutdown), the ids of the messages it has handled, and, if asked, an outbox.
 */
@Module({})
export class StorageModule {
  static forRoot(options: StorageOptions): DynamicModule {
    const migrations = [
      processedMessagesSchema,
      ...(options.outbox ? [outboxSchema] : []),
      ...options.migrations,
    ];
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
    return {
      module: StorageModule,
      providers,
      exports: providers.map((provider) => provider.provide),
    };
  }
}
