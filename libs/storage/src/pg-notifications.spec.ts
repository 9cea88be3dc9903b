import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgDatabase } from './pg-database';
import { PgNotifications } from './pg-notifications';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Update {
  readonly id: string;
  readonly status: string;
}

function update(status: string): Update {
  return { id: randomUUID(), status };
}

const OPTIONS = { topic: 'order_status', purpose: 'board feed' };

/** Resolves once `check` holds, polling; fails the test after `ms`. */
async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('not within the deadline');
    await sleep(20);
  }
}

describe('PgNotifications (two instances on one PostgreSQL schema)', () => {
  const schema = `order_feed_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let db: PgDatabase;
  let feeds: PgNotifications<Update>[];
  let seen: Update[][];

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    db = await PgDatabase.open({ url, schema, poolMax: 2, migrations: [] });
    feeds = [new PgNotifications(db, url, OPTIONS), new PgNotifications(db, url, OPTIONS)];
    seen = [[], []];
    for (const [i, feed] of feeds.entries()) {
      await feed.start();
      feed.live.subscribe((change) => seen[i].push(change));
    }
  });

  afterEach(async () => {
    for (const feed of feeds) await feed.stop();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.close();
  });

  it('delivers a change published by one instance to every instance, in order', async () => {
    const placed = update('placed');
    const brewing = { ...placed, status: 'brewing' };

    feeds[0].publish([placed, brewing]);

    await eventually(() => seen.every((changes) => changes.length === 2));
    expect(seen[0]).toEqual([placed, brewing]);
    expect(seen[1]).toEqual([placed, brewing]);
  });

  it('ignores a payload that is not JSON, and goes on', async () => {
    await db.query(`SELECT pg_notify($1, 'not json')`, [`${schema}.order_status`]);
    const next = update('placed');
    feeds[0].publish([next]);

    await eventually(() => seen.every((changes) => changes.length === 1));
    expect(seen[0]).toEqual([next]);
  });

  it('hears no other schema: shops sharing a database stay apart', async () => {
    const other = await PgDatabase.open({ url, schema: `${schema}_x`, poolMax: 1, migrations: [] });
    try {
      new PgNotifications<Update>(other, url, OPTIONS).publish([update('ready')]);
      const mine = update('placed');
      feeds[1].publish([mine]);

      await eventually(() => seen[0].length === 1);
      expect(seen[0]).toEqual([mine]);
    } finally {
      await other.query(`DROP SCHEMA IF EXISTS ${schema}_x CASCADE`);
      await other.close();
    }
  });

  it('listens again after its connection is cut (as by a PostgreSQL restart)', async () => {
    const cut = await db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
      [`coffee-shop ${schema} board feed`],
    );
    expect(cut.rowCount).toBe(2);

    // Published until heard: changes made while a listener is away are not replayed.
    const after = update('ready');
    await eventually(() => {
      feeds[0].publish([after]);
      return seen.every((changes) => changes.some((change) => change.id === after.id));
    });
  });
});
