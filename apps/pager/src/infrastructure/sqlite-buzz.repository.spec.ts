import { ProcessedMessages, processedMessagesSchema, SqliteDatabase } from '@app/storage';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Buzz } from '../domain/buzz';
import { pagerMigrations } from './pager.schema';
import { SqliteBuzzRepository } from './sqlite-buzz.repository';

function aBuzz(orderId: string = randomUUID(), customer = 'Ada'): Buzz {
  return {
    orderId,
    customer,
    buzzedAt: new Date().toISOString(),
    correlationId: `corr-${customer}`,
    messageId: randomUUID(),
  };
}

describe('SqliteBuzzRepository', () => {
  let dir: string;
  let db: SqliteDatabase;
  let buzzes: SqliteBuzzRepository;
  const open = () => {
    db = SqliteDatabase.open({
      path: join(dir, 'pager.sqlite'),
      migrations: [processedMessagesSchema, ...pagerMigrations],
    });
    buzzes = new SqliteBuzzRepository(db, new ProcessedMessages(db));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'buzzes-'));
    open();
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records one buzz per order and returns the earlier one for a repeat, also after a restart', async () => {
    const first = aBuzz();
    await expect(buzzes.recordOnce(first)).resolves.toBeUndefined();
    await expect(buzzes.recordOnce({ ...first })).resolves.toEqual(first);
    db.close();
    open();

    const another = { ...aBuzz(first.orderId, 'Ada'), messageId: randomUUID() };
    await expect(buzzes.recordOnce(another)).resolves.toEqual(first);
    await expect(buzzes.findByOrder(first.orderId)).resolves.toEqual(first);
    await expect(buzzes.latest(10)).resolves.toEqual({ buzzes: [first], total: 1 });
    expect(new ProcessedMessages(db).has(first.messageId)).toBe(true);
  });

  it('lists the newest first, with how many there are', async () => {
    const all = ['a', 'b', 'c'].map((customer) => aBuzz(randomUUID(), customer));
    for (const buzz of all) await buzzes.recordOnce(buzz);

    const { buzzes: newest, total } = await buzzes.latest(2);
    expect(newest.map((buzz) => buzz.customer)).toEqual(['c', 'b']);
    expect(total).toBe(3);
    await expect(buzzes.findByOrder(randomUUID())).resolves.toBeUndefined();
  });
});
