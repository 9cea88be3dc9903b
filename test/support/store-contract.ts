import { Logger } from '@nestjs/common';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dropSchemasByPrefix, uniquePrefix } from './store-schemas';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * One fresh store for one test: a new SQLite file, or a new PostgreSQL schema. `instance()`
 * opens the port's adapter on it as another process would (its own connection or pool), so a
 * contract can say what instances sharing the store see of each other.
 */
export interface StoreUnderTest<T> {
  readonly kind: StoreKind;
  instance(): Promise<T>;
}

/** Where a factory puts the store of one test. */
export interface StorePlace {
  /** SQLite: the file (in a folder removed afterwards). */
  readonly sqlitePath: string;
  /** PostgreSQL: the schema (dropped afterwards). */
  readonly schema: string;
  /** Closes what `instance` opened, after the test. */
  onClose(close: () => unknown): void;
}

/** Opens one instance of the port's adapter on a store. */
export type StoreFactory<T> = (place: StorePlace) => Promise<T>;

/**
 * One contract suite of a port, run once per store: `contract` states what every adapter of
 * the port must do, and runs against SQLite and PostgreSQL alike, so the two cannot drift.
 * Each test gets a fresh store (file or schema), removed afterwards.
 */
export function describeStoreContract<T>(
  port: string,
  factories: Record<StoreKind, StoreFactory<T>>,
  /** `kind` lets a contract add what only a store shared by instances promises. */
  contract: (store: () => StoreUnderTest<T>, kind: StoreKind) => void,
): void {
  describe.each(Object.keys(factories) as StoreKind[])(`${port} contract on %s`, (kind) => {
    const prefix = uniquePrefix();
    let current: StoreUnderTest<T> | undefined;
    let closers: (() => unknown)[] = [];
    let dir: string | undefined;
    let tests = 0;

    beforeAll(() => Logger.overrideLogger(['warn', 'error']));

    beforeEach(() => {
      tests += 1;
      dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
      const place: StorePlace = {
        sqlitePath: join(dir, 'store.sqlite'),
        schema: `${prefix}${tests}`,
        onClose: (close) => closers.push(close),
      };
      current = { kind, instance: () => factories[kind](place) };
    });

    afterEach(async () => {
      for (const close of closers.reverse()) await close();
      closers = [];
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    afterAll(async () => {
      if (kind === 'postgres') await dropSchemasByPrefix(prefix);
    });

    contract(() => {
      if (!current) throw new Error('the store is opened per test');
      return current;
    }, kind);
  });
}
