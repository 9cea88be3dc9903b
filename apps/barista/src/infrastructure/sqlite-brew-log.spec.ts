import { type CoffeeBrewed, envelope, EventTypes } from '@app/contracts';
import { ProcessedMessages, processedMessagesSchema, SqliteDatabase } from '@app/storage';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baristaMigrations } from './barista.schema';
import { SqliteBrewLog } from './sqlite-brew-log';

function brewed(orderId: string = randomUUID(), baristaId = 'barista-1'): CoffeeBrewed {
  const at = new Date().toISOString();
  return envelope<CoffeeBrewed>(
    EventTypes.CoffeeBrewed,
    { orderId, baristaId, machine: 1, startedAt: at, customer: 'Ada', brewedAt: at },
    { correlationId: 'corr-1', causationId: randomUUID() },
  );
}

describe('SqliteBrewLog', () => {
  let dir: string;
  const opened: SqliteDatabase[] = [];
  const open = () => {
    const db = SqliteDatabase.open({
      path: join(dir, 'barista.sqlite'),
      migrations: [processedMessagesSchema, ...baristaMigrations],
    });
    opened.push(db);
    return {
      db,
      log: new SqliteBrewLog(db, new ProcessedMessages(db)),
      processed: new ProcessedMessages(db),
    };
  };

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'brew-log-'))));
  afterEach(() => {
    opened.splice(0).forEach((db) => db.close());
    rmSync(dir, { recursive: true, force: true });
  });

  it('records brews with the message handled, and finds them after a restart', async () => {
    const first = open();
    const [a, b] = [brewed(), brewed()];
    await expect(first.log.record(a, 'placed-a')).resolves.toEqual(a);
    await first.log.record(b, 'placed-b');
    first.db.close();

    const again = open();
    await expect(again.log.find(a.data.orderId)).resolves.toEqual(a);
    await expect(again.log.find(randomUUID())).resolves.toBeUndefined();
    await expect(again.log.latest(1)).resolves.toEqual({ brews: [b], total: 2 });
    expect(again.processed.has('placed-a')).toBe(true);
    expect(again.processed.has('placed-c')).toBe(false);
  });

  it('keeps the first brew of an order, also for another barista sharing the file', async () => {
    const one = open();
    const other = open();
    const orderId = randomUUID();
    const mine = brewed(orderId, 'barista-1');

    await one.log.record(mine, 'placed-1');
    const theirs = await other.log.record(brewed(orderId, 'barista-2'), 'placed-1');

    expect(theirs).toEqual(mine);
    await expect(other.log.latest(10)).resolves.toEqual({ brews: [mine], total: 1 });
  });
});
