import { ProcessedMessages, processedMessagesSchema } from './processed-messages';
import { SqliteDatabase } from './sqlite-database';
import { tempDir } from './testing/temp-dir';

describe('ProcessedMessages', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: SqliteDatabase;
  const migrations = [
    processedMessagesSchema,
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
});
