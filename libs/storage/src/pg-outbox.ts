import type { IntegrationEvent } from '@app/contracts';
import { OutboxStore, type PublishBatch } from './outbox';
import type { PgDatabase, Queryable } from './pg-database';
import type { Migration } from './sqlite-database';

/** The outbox's table in a context's PostgreSQL schema (see {@link PgOutbox}). */
export const pgOutboxSchema: Migration = {
  id: 'storage-002-outbox',
  sql: `CREATE TABLE outbox (
          seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          message_id text NOT NULL,
          type text NOT NULL,
          event text NOT NULL,
          stored_at bigint NOT NULL
        )`,
};

/**
 * The transactional outbox in PostgreSQL, shared by every instance of the context, each running
 * a relay. A relay claims a batch with `FOR UPDATE SKIP LOCKED` inside a transaction it keeps
 * open while the broker confirms, then deletes what was confirmed and commits: another relay
 * skips the rows held, so in normal operation each event is published once. If the holder dies
 * (its connection drops), the server releases the locks and the rows are taken by the next pass
 * of any relay; if it died between the broker's confirm and its commit, the event is published
 * again with the same message id, which consumers recognise (at least once, as with SQLite).
 * Events of different batches may leave in a different order than they were stored.
 */
export class PgOutbox extends OutboxStore {
  constructor(private readonly db: PgDatabase) {
    super();
  }

  /** Stores `event` to be published, within `tx`: the transaction that stores its cause. */
  async add(tx: Queryable, event: IntegrationEvent): Promise<void> {
    await tx.query(
      'INSERT INTO outbox (message_id, type, event, stored_at) VALUES ($1, $2, $3, $4)',
      [event.messageId, event.type, JSON.stringify(event), Date.now()],
    );
  }

  relay(limit: number, publish: PublishBatch): Promise<number> {
    return this.db.transaction(async (tx) => {
      const claimed = await tx.query<{ seq: string; event: string }>(
        'SELECT seq, event FROM outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED',
        [limit],
      );
      if (claimed.rows.length === 0) return 0;
      const batch = claimed.rows.map((row) => ({
        seq: Number(row.seq),
        event: JSON.parse(row.event) as IntegrationEvent,
      }));
      const sent = await publish(batch);
      if (sent.length > 0) await tx.query('DELETE FROM outbox WHERE seq = ANY($1)', [sent]);
      return batch.length;
    });
  }

  async pendingCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM outbox');
    return rows[0]?.n ?? 0;
  }

  async oldestPendingAt(): Promise<number | undefined> {
    const { rows } = await this.db.query<{ at: string | null }>(
      'SELECT MIN(stored_at) AS at FROM outbox',
    );
    const at = rows[0]?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }
}
