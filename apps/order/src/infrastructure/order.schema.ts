import type { Migration } from '@app/storage';

/** The counter's tables, in the order they were introduced. Never edit a shipped step: add one. */
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
