// One contract suite per storage port (processed message ids, the outbox, the brew log, the
// buzzes), each run against SQLite and against the real PostgreSQL, so that the two stores
// cannot drift: whatever an app relies on of a port holds on either. Each test gets a fresh
// SQLite file or PostgreSQL schema; the schemas are dropped afterwards.
import { type CoffeeBrewed, envelope, EventTypes, type IntegrationEvent } from '@app/contracts';
import {
  type Migration,
  Outbox,
  type OutboxEntry,
  type OutboxStore,
  PgOutbox,
  PgProcessedMessages,
  pgStorageMigrations,
  ProcessedMessages,
  promised,
  SqliteDatabase,
  storageMigrations,
} from '@app/storage';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  baristaMigrations,
  baristaPgMigrations,
} from '../apps/barista/src/infrastructure/barista.schema';
import { PgBrewLog } from '../apps/barista/src/infrastructure/pg-brew-log';
import { SqliteBrewLog } from '../apps/barista/src/infrastructure/sqlite-brew-log';
import type { BrewLog } from '../apps/barista/src/domain/brew-log';
import type { Buzz } from '../apps/pager/src/domain/buzz';
import type { BuzzRepository } from '../apps/pager/src/domain/buzz.repository';
import { pagerMigrations, pagerPgMigrations } from '../apps/pager/src/infrastructure/pager.schema';
import { PgBuzzRepository } from '../apps/pager/src/infrastructure/pg-buzz.repository';
import { SqliteBuzzRepository } from '../apps/pager/src/infrastructure/sqlite-buzz.repository';
import { eventually } from './support/client';
import { openTestSchema } from './support/store-schemas';
import { describeStoreContract, type StorePlace } from './support/store-contract';

/** A SQLite file opened as one more process would, with the library's tables and `own`. */
function openSqlite(place: StorePlace, own: readonly Migration[], outbox = false): SqliteDatabase {
  const db = SqliteDatabase.open({
    path: place.sqlitePath,
    migrations: [...storageMigrations(outbox), ...own],
    checkpointEveryMs: 0,
  });
  place.onClose(() => db.close());
  return db;
}

async function openPostgres(place: StorePlace, own: readonly Migration[], outbox = false) {
  const db = await openTestSchema(place.schema, [...pgStorageMigrations(outbox), ...own]);
  place.onClose(() => db.close());
  return db;
}

const rolledBack = new Error('the work failed: rolled back');

// --- processed message ids ------------------------------------------------------------------

/** The processed ids as a handler uses them: recorded inside its transaction. */
interface ProcessedIds {
  /** Records `id` in a transaction that then commits, or fails and rolls back (`thenFail`). */
  record(id: string, options?: { at?: number; thenFail?: boolean }): Promise<boolean>;
  has(id: string): Promise<boolean>;
  forgetBefore(before: number, limit: number): Promise<number>;
}

describeStoreContract<ProcessedIds>(
  'processed messages',
  {
    sqlite: (place) => {
      const db = openSqlite(place, []);
      const processed = new ProcessedMessages(db);
      const work = db.transaction((id: string, at: number, fail: boolean) => {
        const recorded = processed.record(id, at);
        if (fail) throw rolledBack;
        return recorded;
      });
      return Promise.resolve({
        record: (id, options = {}) =>
          promised(() => work(id, options.at ?? Date.now(), options.thenFail ?? false)),
        has: (id) => promised(() => processed.has(id)),
        forgetBefore: (before, limit) => promised(() => processed.forgetBefore(before, limit)),
      });
    },
    postgres: async (place) => {
      const db = await openPostgres(place, []);
      const processed = new PgProcessedMessages(db);
      return {
        record: (id, options = {}) =>
          db.transaction(async (tx) => {
            const recorded = await processed.record(tx, id, options.at);
            if (options.thenFail) throw rolledBack;
            return recorded;
          }),
        has: (id) => processed.has(id),
        forgetBefore: (before, limit) => processed.forgetBefore(before, limit),
      };
    },
  },
  (store) => {
    it('records an id once: the second time, from any instance, says it was handled', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const id = randomUUID();

      await expect(a.has(id)).resolves.toBe(false);
      await expect(a.record(id)).resolves.toBe(true);
      await expect(b.record(id)).resolves.toBe(false);
      await expect(b.has(id)).resolves.toBe(true);
    });

    it('keeps no id whose transaction rolled back', async () => {
      const a = await store().instance();
      const id = randomUUID();

      await expect(a.record(id, { thenFail: true })).rejects.toBe(rolledBack);

      await expect(a.has(id)).resolves.toBe(false);
      await expect(a.record(id)).resolves.toBe(true);
    });

    it('forgets the ids handled before a time, oldest first, at most `limit` at once', async () => {
      const a = await store().instance();
      for (const [id, at] of [
        ['old-1', 1000],
        ['old-2', 2000],
        ['old-3', 3000],
        ['new', 9000],
      ] as const) {
        await a.record(id, { at });
      }

      await expect(a.forgetBefore(5000, 2)).resolves.toBe(2);
      await expect(a.has('old-1')).resolves.toBe(false);
      await expect(a.has('old-2')).resolves.toBe(false);
      await expect(a.has('old-3')).resolves.toBe(true);
      await expect(a.forgetBefore(5000, 10)).resolves.toBe(1);
      await expect(a.has('new')).resolves.toBe(true);
    });
  },
);

// --- the outbox -------------------------------------------------------------------------------

interface OutboxUnderTest {
  /** Stores `events` in one transaction that then commits, or fails (`thenFail`). */
  add(events: IntegrationEvent[], thenFail?: boolean): Promise<void>;
  readonly relay: OutboxStore;
}

function anEvent(customer: string): IntegrationEvent {
  return envelope(
    EventTypes.OrderPlaced,
    {
      orderId: randomUUID(),
      customer,
      items: [{ drink: 'latte', size: 'large', quantity: 1 }],
      placedAt: new Date().toISOString(),
    },
    { correlationId: `corr-${customer}` },
  );
}

const customers = (entries: readonly OutboxEntry[]) =>
  entries.map((entry) => (entry.event.data as { customer: string }).customer);

/** A publish that confirms every event it is given, recording them. */
function confirmAll(published: OutboxEntry[]) {
  return (entries: readonly OutboxEntry[]) => {
    published.push(...entries);
    return Promise.resolve(entries.map((entry) => entry.seq));
  };
}

describeStoreContract<OutboxUnderTest>(
  'outbox',
  {
    sqlite: (place) => {
      const db = openSqlite(place, [], true);
      const outbox = new Outbox(db);
      const add = db.transaction((events: IntegrationEvent[], fail: boolean) => {
        for (const event of events) outbox.add(event);
        if (fail) throw rolledBack;
      });
      return Promise.resolve({
        add: (events, thenFail = false) => promised(() => add(events, thenFail)),
        relay: outbox,
      });
    },
    postgres: async (place) => {
      const db = await openPostgres(place, [], true);
      const outbox = new PgOutbox(db);
      return {
        add: (events, thenFail = false) =>
          db.transaction(async (tx) => {
            for (const event of events) await outbox.add(tx, event);
            if (thenFail) throw rolledBack;
          }),
        relay: outbox,
      };
    },
  },
  (store, kind) => {
    it('hands stored events over oldest first, and removes only those confirmed', async () => {
      const a = await store().instance();
      await a.add([anEvent('a'), anEvent('b'), anEvent('c')]);
      const handed: OutboxEntry[] = [];

      const taken = await a.relay.relay(10, (entries) => {
        handed.push(...entries);
        // The broker confirms a and c; b's publish failed.
        return Promise.resolve(entries.filter((_, i) => i !== 1).map((entry) => entry.seq));
      });

      expect(taken).toBe(3);
      expect(customers(handed)).toEqual(['a', 'b', 'c']);
      await expect(a.relay.pendingCount()).resolves.toBe(1);
      const again: OutboxEntry[] = [];
      await expect(a.relay.relay(10, confirmAll(again))).resolves.toBe(1);
      expect(customers(again)).toEqual(['b']);
      await expect(a.relay.relay(10, confirmAll(again))).resolves.toBe(0);
    });

    it('hands over at most `limit` events at once', async () => {
      const a = await store().instance();
      await a.add([anEvent('a'), anEvent('b'), anEvent('c')]);
      const handed: OutboxEntry[] = [];

      await expect(a.relay.relay(2, confirmAll(handed))).resolves.toBe(2);
      await expect(a.relay.relay(2, confirmAll(handed))).resolves.toBe(1);
      expect(customers(handed)).toEqual(['a', 'b', 'c']);
    });

    it('keeps the events when the publish itself fails, and keeps none of a rolled-back transaction', async () => {
      const a = await store().instance();
      await a.add([anEvent('kept')]);
      await expect(a.add([anEvent('never')], true)).rejects.toBe(rolledBack);
      const brokerGone = new Error('channel closed');

      await expect(a.relay.relay(10, () => Promise.reject(brokerGone))).rejects.toBe(brokerGone);

      const handed: OutboxEntry[] = [];
      await a.relay.relay(10, confirmAll(handed));
      expect(customers(handed)).toEqual(['kept']);
    });

    it('counts what waits and tells since when, for every instance', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      await expect(b.relay.pendingCount()).resolves.toBe(0);
      await expect(b.relay.oldestPendingAt()).resolves.toBeUndefined();
      const before = Date.now();

      await a.add([anEvent('a'), anEvent('b')]);

      await expect(b.relay.pendingCount()).resolves.toBe(2);
      const oldest = await b.relay.oldestPendingAt();
      expect(oldest).toBeGreaterThanOrEqual(before);
      expect(oldest).toBeLessThanOrEqual(Date.now());
      const handed: OutboxEntry[] = [];
      await b.relay.relay(10, confirmAll(handed));
      expect(customers(handed)).toEqual(['a', 'b']);
      await expect(a.relay.pendingCount()).resolves.toBe(0);
    });

    // A SQLite outbox has one relay (its process) by design; a shared one has one per instance.
    if (kind === 'sqlite') return;

    it('lets one relay at a time hold an event: the others skip it', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      await a.add([anEvent('a'), anEvent('b')]);
      let release!: () => void;
      const confirmed = new Promise<void>((resolve) => (release = resolve));
      const byA: OutboxEntry[] = [];
      const holding = a.relay.relay(10, async (entries) => {
        byA.push(...entries);
        await confirmed; // the broker takes its time
        return entries.map((entry) => entry.seq);
      });
      await eventually('relay a to hold the events', () =>
        Promise.resolve(byA.length > 0 ? true : undefined),
      );
      await b.add([anEvent('c')]);

      const byB: OutboxEntry[] = [];
      await expect(b.relay.relay(10, confirmAll(byB))).resolves.toBe(1);
      release();
      await expect(holding).resolves.toBe(2);

      expect(customers(byA)).toEqual(['a', 'b']);
      expect(customers(byB)).toEqual(['c']);
      await expect(b.relay.relay(10, confirmAll(byB))).resolves.toBe(0);
    });

    it('publishes each event once with relays running in two instances at once', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const events = Array.from({ length: 60 }, (_, i) => anEvent(`c${i}`));
      for (let i = 0; i < events.length; i += 6) await a.add(events.slice(i, i + 6));
      const published: OutboxEntry[] = [];
      const drain = async (relay: OutboxStore) => {
        // Slow confirms, small batches: the two relays overlap throughout.
        const publish = async (entries: readonly OutboxEntry[]) => {
          await sleep(5);
          return confirmAll(published)(entries);
        };
        while ((await relay.relay(4, publish)) > 0);
      };

      await Promise.all([drain(a.relay), drain(b.relay), drain(a.relay)]);

      const seen = customers(published);
      expect(seen).toHaveLength(events.length);
      expect(new Set(seen).size).toBe(events.length);
      await expect(a.relay.pendingCount()).resolves.toBe(0);
    });
  },
);

// --- the brew log -----------------------------------------------------------------------------

function brewed(orderId: string, baristaId: string): CoffeeBrewed {
  const at = new Date().toISOString();
  return envelope<CoffeeBrewed>(
    EventTypes.CoffeeBrewed,
    { orderId, baristaId, machine: 1, startedAt: at, customer: 'Ada', brewedAt: at },
    { correlationId: 'corr-1', causationId: randomUUID() },
  );
}

describeStoreContract<BrewLog>(
  'brew log',
  {
    sqlite: (place) => {
      const db = openSqlite(place, baristaMigrations);
      return Promise.resolve(new SqliteBrewLog(db, new ProcessedMessages(db)));
    },
    postgres: async (place) => {
      const db = await openPostgres(place, baristaPgMigrations);
      return new PgBrewLog(db, new PgProcessedMessages(db));
    },
  },
  (store) => {
    it('finds a brew from any instance; lists the newest first with the total', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const [first, second] = [brewed(randomUUID(), 'a'), brewed(randomUUID(), 'a')];

      await expect(a.record(first, randomUUID())).resolves.toEqual(first);
      await a.record(second, randomUUID());

      await expect(b.find(first.data.orderId)).resolves.toEqual(first);
      await expect(b.find(randomUUID())).resolves.toBeUndefined();
      await expect(b.latest(1)).resolves.toEqual({ brews: [second], total: 2 });
      await expect(b.latest(10)).resolves.toEqual({ brews: [second, first], total: 2 });
    });

    it('keeps the first brew recorded for an order: a later one, from any instance, gets it back', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const orderId = randomUUID();
      const mine = brewed(orderId, 'a');

      await a.record(mine, randomUUID());

      await expect(b.record(brewed(orderId, 'b'), randomUUID())).resolves.toEqual(mine);
      await expect(b.latest(10)).resolves.toEqual({ brews: [mine], total: 1 });
    });

    it("gives an order's claim to one holder while its lease runs, renewable by that holder", async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const orderId = randomUUID();

      await expect(a.claim(orderId, 'barista-a', 60_000)).resolves.toBe(true);
      await expect(b.claim(orderId, 'barista-b', 60_000)).resolves.toBe(false);
      await expect(b.claim(orderId, 'barista-a', 60_000)).resolves.toBe(true);
      await expect(a.claim(randomUUID(), 'barista-b', 60_000)).resolves.toBe(true);
    });

    it('lets another holder take a claim whose lease ran out (its holder died)', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const orderId = randomUUID();
      await a.claim(orderId, 'barista-dead', 200);

      await expect(b.claim(orderId, 'barista-b', 60_000)).resolves.toBe(false);

      await eventually('the lease to run out', async () =>
        (await b.claim(orderId, 'barista-b', 60_000)) ? true : undefined,
      );
      await expect(a.claim(orderId, 'barista-dead', 60_000)).resolves.toBe(false);
    });

    it('lets nobody claim a brewed order, its brewer included', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const orderId = randomUUID();
      await a.claim(orderId, 'barista-a', 60_000);

      await a.record(brewed(orderId, 'barista-a'), randomUUID());

      await expect(a.claim(orderId, 'barista-a', 60_000)).resolves.toBe(false);
      await expect(b.claim(orderId, 'barista-b', 60_000)).resolves.toBe(false);
      // Also when no claim was ever taken (a brew logged before claims existed).
      const older = randomUUID();
      await a.record(brewed(older, 'barista-a'), randomUUID());
      await expect(b.claim(older, 'barista-b', 60_000)).resolves.toBe(false);
    });

    it('gives a claim to exactly one of many holders claiming at once from two instances', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const orderId = randomUUID();

      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).claim(orderId, `barista-${i}`, 60_000)),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });
  },
);

// --- the buzzes -------------------------------------------------------------------------------

function aBuzz(orderId: string, customer = 'Ada'): Buzz {
  return {
    orderId,
    customer,
    buzzedAt: new Date().toISOString(),
    correlationId: `corr-${customer}`,
    messageId: randomUUID(),
  };
}

describeStoreContract<BuzzRepository>(
  'buzzes',
  {
    sqlite: (place) => {
      const db = openSqlite(place, pagerMigrations);
      return Promise.resolve(new SqliteBuzzRepository(db, new ProcessedMessages(db)));
    },
    postgres: async (place) => {
      const db = await openPostgres(place, pagerPgMigrations);
      return new PgBuzzRepository(db, new PgProcessedMessages(db));
    },
  },
  (store) => {
    it('buzzes an order once: a repeat, from any instance, gets the earlier buzz', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const orderId = randomUUID();
      const first = aBuzz(orderId);

      await expect(a.recordOnce(first)).resolves.toBeUndefined();

      await expect(b.recordOnce(aBuzz(orderId))).resolves.toEqual(first);
      await expect(b.findByOrder(orderId)).resolves.toEqual(first);
      await expect(b.findByOrder(randomUUID())).resolves.toBeUndefined();
    });

    it('lists the newest buzzes first with the total', async () => {
      const a = await store().instance();
      const [first, second] = [aBuzz(randomUUID(), 'Ada'), aBuzz(randomUUID(), 'Grace')];
      await a.recordOnce(first);
      await a.recordOnce(second);

      await expect(a.latest(1)).resolves.toEqual({ buzzes: [second], total: 2 });
      await expect(a.latest(5)).resolves.toEqual({ buzzes: [second, first], total: 2 });
    });

    it('buzzes once when two instances get the same order at the same moment', async () => {
      const [a, b] = [await store().instance(), await store().instance()];
      const orderId = randomUUID();

      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).recordOnce(aBuzz(orderId))),
      );

      expect(results.filter((earlier) => earlier === undefined)).toHaveLength(1);
      await expect(a.latest(10)).resolves.toMatchObject({ total: 1 });
    });
  },
);
