import { Outbox, outboxSchema } from './outbox';
import { SqliteDatabase } from './sqlite-database';
import { anEvent } from './testing/events';
import { tempDir } from './testing/temp-dir';

describe('Outbox', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: SqliteDatabase;
  const open = () =>
    SqliteDatabase.open({ path: dir.file('app.sqlite'), migrations: [outboxSchema] });

  beforeEach(() => {
    dir = tempDir();
    db = open();
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('keeps events, oldest first, until they are marked sent', () => {
    const outbox = new Outbox(db);
    const events = ['a', 'b', 'c'].map((customer) => anEvent(customer));
    events.forEach((event) => outbox.add(event));

    const pending = outbox.pending(10);
    expect(pending.map((entry) => entry.event)).toEqual(events);
    expect(outbox.pending(2).map((entry) => entry.event)).toEqual(events.slice(0, 2));

    outbox.markSent([pending[0].seq, pending[2].seq]);
    expect(outbox.pending(10).map((entry) => entry.event)).toEqual([events[1]]);
    expect(outbox.size).toBe(1);
  });

  it('tells when the oldest waiting event was stored (the backlog gauge), none when empty', () => {
    const outbox = new Outbox(db);
    expect(outbox.oldestStoredAt).toBeUndefined();
    const before = Date.now();
    outbox.add(anEvent('a'));
    outbox.add(anEvent('b'));
    expect(outbox.oldestStoredAt).toBeGreaterThanOrEqual(before);
    expect(outbox.oldestStoredAt).toBeLessThanOrEqual(Date.now());
    outbox.markSent(outbox.pending(10).map((entry) => entry.seq));
    expect(outbox.oldestStoredAt).toBeUndefined();
  });

  it('stores an event with its cause or not at all, and keeps it across a restart', () => {
    const outbox = new Outbox(db);
    const store = db.transaction((fail: boolean) => {
      outbox.add(anEvent(fail ? 'rolled back' : 'kept'));
      if (fail) throw new Error('the cause could not be stored');
    });

    store(false);
    expect(() => store(true)).toThrow();
    db.close();
    db = open();

    const kept = new Outbox(db).pending(10).map((entry) => entry.event.data);
    expect(kept).toEqual([expect.objectContaining({ customer: 'kept' })]);
  });
});
