import type { Migration } from '@app/storage';

/** The counter's SQLite tables, in the order they were introduced. Never edit a shipped step: add one. */
export const orderMigrations: readonly Migration[] = [
  {
    id: 'order-001-orders',
    sql: `CREATE TABLE orders (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            customer TEXT NOT NULL,
            items TEXT NOT NULL,
            correlation_id TEXT NOT NULL,
            status TEXT NOT NULL,
            history TEXT NOT NULL
          );
          CREATE INDEX orders_by_status ON orders (status, seq);`,
  },
];

/** The same tables in PostgreSQL (the ids match, step for step). */
export const pgOrderMigrations: readonly Migration[] = [
  {
    id: 'order-001-orders',
    sql: `CREATE TABLE orders (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id text NOT NULL UNIQUE,
            customer text NOT NULL,
            items text NOT NULL,
            correlation_id text NOT NULL,
            status text NOT NULL,
            history text NOT NULL
          );
          CREATE INDEX orders_by_status ON orders (status, seq);`,
  },
];
