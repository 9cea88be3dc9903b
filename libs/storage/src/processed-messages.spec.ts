import {
  ProcessedMessages,
  ProcessedMessagesPruner,
  processedMessagesAgeIndex,
  processedMessagesSchema,
} from './processed-messages';
import { SqliteDatabase } from './sqlite-database';
import { tempDir } from './testing/temp-dir';

describe('ProcessedMessages', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: SqliteDatabase;
  const migrations = [
    processedMessagesSchema,
    processedMessagesAgeIndex,
    { id: 'test-001-effects', sql: 'CREATE TABLE effects (message_id TEXT NOT NULL)' },
  ];

  beforeEach(() => {
    dir = tempDir();
    db = SqliteDatabase.open({ path: dir.file('app.sqlite'), migrations });
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('records an id once and recognises it afterwards', () => {
    const processed = new ProcessedMessages(db);

    expect(processed.has('m-1')).toBe(false);
    expect(processed.record('m-1')).toBe(true);
    expect(processed.has('m-1')).toBe(true);
    expect(processed.record('m-1')).toBe(false);
    expect(processed.has('m-2')).toBe(false);
  });

  it('is recorded with the effects of handling or not at all, and survives a restart', () => {
    const processed = new ProcessedMessages(db);
    const effect = db.prepare<[string]>('INSERT INTO effects (message_id) VALUES (?)');
    const handle = db.transaction((messageId: string, fail: boolean) => {
      effect.run(messageId);
      processed.record(messageId);
      if (fail) throw new Error('handler failed after its writes');
    });

    handle('m-1', false);
    expect(() => handle('m-2', true)).toThrow();
    db.close();

    db = SqliteDatabase.open({ path: dir.file('app.sqlite'), migrations });
    const reopened = new ProcessedMessages(db);
    expect(reopened.has('m-1')).toBe(true);
    expect(reopened.has('m-2')).toBe(false);
    expect(db.prepare('SELECT message_id FROM effects').all()).toEqual([{ message_id: 'm-1' }]);
  });

  it('is shared by every connection to the same file (several processes on one host)', () => {
    const other = SqliteDatabase.open({ path: dir.file('app.sqlite'), migrations });
    try {
      new ProcessedMessages(db).record('m-1');
      expect(new ProcessedMessages(other).has('m-1')).toBe(true);
      expect(new ProcessedMessages(other).record('m-1')).toBe(false);
    } finally {
      other.close();
    }
  });

  it('forgets the ids handled before a time, oldest first and at most a batch at once', () => {
    const processed = new ProcessedMessages(db);
    for (let i = 1; i <= 5; i += 1) processed.record(`m-${i}`, i * 1000);

    expect(processed.forgetBefore(4500, 2)).toBe(2);
    expect(['m-1', 'm-2', 'm-3'].map((id) => processed.has(id))).toEqual([false, false, true]);
    expect(processed.forgetBefore(4500, 100)).toBe(2);
    expect(processed.has('m-4')).toBe(false);
    expect(processed.has('m-5')).toBe(true);
    expect(processed.forgetBefore(4500, 100)).toBe(0);
  });

  it('uses the age index to find what to forget, not a scan of every id', () => {
    const plan = db
      .prepare<[number, number], { detail: string }>(
        `EXPLAIN QUERY PLAN SELECT message_id FROM processed_messages
           WHERE handled_at < ? ORDER BY handled_at LIMIT ?`,
      )
      .all(0, 1)
      .map((row) => row.detail)
      .join('; ');
    expect(plan).toContain('processed_messages_handled_at');
  });
});

describe('ProcessedMessagesPruner', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: SqliteDatabase;
  let processed: ProcessedMessages;
  const HOUR = 3_600_000;

  beforeEach(() => {
    dir = tempDir();
    db = SqliteDatabase.open({
      path: dir.file('app.sqlite'),
      migrations: [processedMessagesSchema, processedMessagesAgeIndex],
    });
    processed = new ProcessedMessages(db);
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('forgets every id older than the retention, batch after batch, and keeps the rest', async () => {
    const now = 100 * HOUR;
    for (let i = 0; i < 25; i += 1) processed.record(`old-${i}`, now - 3 * HOUR - i);
    processed.record('recent', now - HOUR);
    const pruner = new ProcessedMessagesPruner(processed, { retentionMs: 2 * HOUR, batchSize: 10 });

    expect(await pruner.prune(now)).toBe(25);
    expect(processed.has('old-0')).toBe(false);
    expect(processed.has('old-24')).toBe(false);
    expect(processed.has('recent')).toBe(true);
    expect(await pruner.prune(now)).toBe(0);
  });

  it('keeps everything with a retention of 0, and starts no timer', async () => {
    processed.record('ancient', 1);
    const pruner = new ProcessedMessagesPruner(processed, { retentionMs: 0 });
    pruner.onApplicationBootstrap();
    await new Promise((resolve) => setImmediate(resolve));
    await pruner.onModuleDestroy();
    expect(processed.has('ancient')).toBe(true);
  });

  it('prunes once at start-up, and stops between batches at shutdown', async () => {
    for (let i = 0; i < 30; i += 1) processed.record(`old-${i}`, i + 1);
    const pruner = new ProcessedMessagesPruner(processed, { retentionMs: HOUR, batchSize: 10 });
    pruner.onApplicationBootstrap();
    // The first batch runs on the next turn of the event loop; shutdown then stops the pass.
    await new Promise((resolve) => setImmediate(resolve));
    await pruner.onModuleDestroy();
    const left = db
      .prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM processed_messages')
      .get()?.n;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(30);
  });

  it('never throws when the database fails, and says so', async () => {
    const pruner = new ProcessedMessagesPruner(processed, { retentionMs: HOUR });
    db.close();
    await expect(pruner.prune()).resolves.toBe(0);
    db = SqliteDatabase.open({
      path: dir.file('app.sqlite'),
      migrations: [processedMessagesSchema, processedMessagesAgeIndex],
    });
  });
});
