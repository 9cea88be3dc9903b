import type { Migration } from '@app/storage';

/** The pager's tables, in the order they were introduced. Never edit a shipped step: add one. */
export const pagerMigrations: readonly Migration[] = [
  {
    id: 'pager-001-buzzes',
    sql: `CREATE TABLE buzzes (
            seq INTEGER PRIMARY KEY,
            order_id TEXT NOT NULL UNIQUE,
            customer TEXT NOT NULL,
            buzzed_at TEXT NOT NULL,
            correlation_id TEXT NOT NULL,
            message_id TEXT NOT NULL
          )`,
  },
];

/** The same tables in the pager's PostgreSQL schema. */
export const pagerPgMigrations: readonly Migration[] = [
  {
    id: 'pager-001-buzzes',
    sql: `CREATE TABLE buzzes (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            order_id text NOT NULL UNIQUE,
            customer text NOT NULL,
            buzzed_at text NOT NULL,
            correlation_id text NOT NULL,
            message_id text NOT NULL
          )`,
  },
];
