import type { Migration } from '@app/storage';

/** The barista's tables, in the order they were introduced. Never edit a shipped step: add one. */
export const baristaMigrations: readonly Migration[] = [
  {
    id: 'barista-001-brews',
    sql: `CREATE TABLE brews (
            seq INTEGER PRIMARY KEY,
            order_id TEXT NOT NULL UNIQUE,
            event TEXT NOT NULL
          )`,
  },
];
