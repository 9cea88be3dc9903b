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
  {
    // claimed_until: ms since the epoch; NULL once the order is brewed (nobody may claim it).
    id: 'barista-002-brew-claims',
    sql: `CREATE TABLE brew_claims (
            order_id TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            claimed_until INTEGER
          ) WITHOUT ROWID`,
  },
];

/** The same tables in the barista's PostgreSQL schema. */
export const baristaPgMigrations: readonly Migration[] = [
  {
    id: 'barista-001-brews',
    sql: `CREATE TABLE brews (
            seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            order_id text NOT NULL UNIQUE,
            event text NOT NULL
          )`,
  },
  {
    // The database's clock decides leases, so baristas on hosts whose clocks differ agree.
    id: 'barista-002-brew-claims',
    sql: `CREATE TABLE brew_claims (
            order_id text PRIMARY KEY,
            holder text NOT NULL,
            claimed_until timestamptz
          )`,
  },
];
