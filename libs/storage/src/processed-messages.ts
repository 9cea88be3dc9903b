import type { Migration, SqliteDatabase } from './sqlite-database';

export const processedMessagesSchema: Migration = {
  id: 'storage-001-processed-messages',
  sql: `CREATE TABLE processed_messages (
          message_id TEXT PRIMARY KEY,
          handled_at INTEGER NOT NULL
        ) WITHOUT ROWID`,
};

/**
 * The ids of the messages a consumer has handled, kept in the same database as its own data.
 * Record an id in the same transaction that stores what handling the message did: then a
 * redelivered message is recognised exactly when its effects are stored, also after a restart.
 */
export class ProcessedMessages {
  private readonly exists;
  private readonly insert;

  constructor(db: SqliteDatabase) {
    this.exists = db.prepare<[string], 1>('SELECT 1 FROM processed_messages WHERE message_id = ?');
    this.insert = db.prepare<[string, number]>(
      'INSERT OR IGNORE INTO processed_messages (message_id, handled_at) VALUES (?, ?)',
    );
  }

  has(messageId: string): boolean {
    return this.exists.get(messageId) !== undefined;
  }

  /** Records `messageId` as handled; false if it was already. Call it inside the app's transaction. */
  record(messageId: string, at = Date.now()): boolean {
    return this.insert.run(messageId, at).changes === 1;
  }
}
