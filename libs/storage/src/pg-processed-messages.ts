import type { Queryable } from './pg-database';
import type { Migration } from './sqlite-database';

/** The processed ids' table in a context's PostgreSQL schema (see {@link PgProcessedMessages}). */
export const pgProcessedMessagesSchema: Migration = {
  id: 'storage-001-processed-messages',
  sql: `CREATE TABLE processed_messages (
          message_id text PRIMARY KEY,
          handled_at bigint NOT NULL
        );
        CREATE INDEX processed_messages_handled_at ON processed_messages (handled_at);`,
};

/**
 * The ids of the messages a context has handled, in its PostgreSQL schema, shared by all its
 * instances: whichever instance gets a redelivery finds the id its first delivery recorded.
 * Record an id with {@link record} in the transaction that stores what handling it did.
 */
export class PgProcessedMessages {
  constructor(private readonly db: Queryable) {}

  async has(messageId: string): Promise<boolean> {
    const found = await this.db.query('SELECT 1 FROM processed_messages WHERE message_id = $1', [
      messageId,
    ]);
    return found.rowCount === 1;
  }

  /**
   * Records `messageId` as handled within `tx`; false if it was already (by any instance). Two
   * transactions recording one id at once: the second waits for the first, then sees it.
   */
  async record(tx: Queryable, messageId: string, at = Date.now()): Promise<boolean> {
    const inserted = await tx.query(
      `INSERT INTO processed_messages (message_id, handled_at) VALUES ($1, $2)
       ON CONFLICT (message_id) DO NOTHING`,
      [messageId, at],
    );
    return inserted.rowCount === 1;
  }

  /**
   * Forgets up to `limit` ids handled before `before` (ms since the epoch), oldest first. Rows
   * another instance's pruner is deleting are skipped, not waited for.
   */
  async forgetBefore(before: number, limit: number): Promise<number> {
    const deleted = await this.db.query(
      `DELETE FROM processed_messages WHERE message_id IN (
         SELECT message_id FROM processed_messages WHERE handled_at < $1
         ORDER BY handled_at LIMIT $2 FOR UPDATE SKIP LOCKED
       )`,
      [before, limit],
    );
    return deleted.rowCount ?? 0;
  }
}
