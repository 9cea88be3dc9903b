import type { IntegrationEvent } from '@app/contracts';
import { type Migration, promised, type SqliteDatabase } from './sqlite-database';

export const outboxSchema: Migration = {
  id: 'storage-002-outbox',
  sql: `CREATE TABLE outbox (
          seq INTEGER PRIMARY KEY,
          message_id TEXT NOT NULL,
          type TEXT NOT NULL,
          event TEXT NOT NULL,
          stored_at INTEGER NOT NULL
        )`,
};

export interface OutboxEntry {
  readonly seq: number;
  readonly event: IntegrationEvent;
}

/**
 * Publishes a batch of stored events and answers which of them the broker confirmed (their
 * `seq`s): those leave the outbox, the others stay for a later pass.
 */
export type PublishBatch = (entries: readonly OutboxEntry[]) => Promise<readonly number[]>;

/**
 * The outbox as the relay sees it, whatever the store. Events are added by each store's own
 * adapter, inside the transaction that stores their cause (SQLite {@link Outbox.add}, PostgreSQL
 * `PgOutbox.add`).
 */
export abstract class OutboxStore {
  /**
   * Takes up to `limit` of the oldest pending events that no other relay holds, hands them to
   * `publish`, and removes those it confirmed. Resolves how many were taken: 0 when none waits
   * (or every one is held by another relay).
   */
  abstract relay(limit: number, publish: PublishBatch): Promise<number>;
  /** How many events wait, whoever holds them. */
  abstract pendingCount(): Promise<number>;
  /** When the oldest event still waiting was stored (ms since the epoch), if one waits. */
  abstract oldestPendingAt(): Promise<number | undefined>;
}

/**
 * Integration events stored with the data change that raised them (the transactional outbox):
 * `add` inside the app's transaction, and a relay publishes what is pending and removes each
 * event only once the broker has confirmed it.
 */
export class Outbox extends OutboxStore {
  private readonly insert;
  private readonly select;
  private readonly remove;
  private readonly count;
  private readonly oldest;
  private readonly removeAll;

  constructor(db: SqliteDatabase) {
    super();
    this.insert = db.prepare<[string, string, string, number]>(
      'INSERT INTO outbox (message_id, type, event, stored_at) VALUES (?, ?, ?, ?)',
    );
    this.select = db.prepare<[number], { seq: number; event: string }>(
      'SELECT seq, event FROM outbox ORDER BY seq LIMIT ?',
    );
    this.remove = db.prepare<[number]>('DELETE FROM outbox WHERE seq = ?');
    this.count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM outbox');
    this.oldest = db.prepare<[], { at: number | null }>('SELECT MIN(stored_at) AS at FROM outbox');
    this.removeAll = db.transaction((seqs: readonly number[]) => {
      for (const seq of seqs) this.remove.run(seq);
    });
  }

  /** Stores `event` to be published. Call it inside the transaction that stores its cause. */
  add(event: IntegrationEvent): void {
    this.insert.run(event.messageId, event.type, JSON.stringify(event), Date.now());
  }

  /** The oldest `limit` events not yet confirmed, oldest first. */
  pending(limit: number): OutboxEntry[] {
    return this.select
      .all(limit)
      .map((row) => ({ seq: row.seq, event: JSON.parse(row.event) as IntegrationEvent }));
  }

  /** The broker confirmed these: they leave the outbox, all in one transaction. */
  markSent(seqs: readonly number[]): void {
    if (seqs.length > 0) this.removeAll(seqs);
  }

  /**
   * One process owns a SQLite outbox: read the pending events, publish, remove the confirmed
   * ones (one transaction), as the relay always did.
   */
  async relay(limit: number, publish: PublishBatch): Promise<number> {
    const batch = this.pending(limit);
    if (batch.length === 0) return 0;
    this.markSent(await publish(batch));
    return batch.length;
  }

  pendingCount(): Promise<number> {
    return promised(() => this.size);
  }

  oldestPendingAt(): Promise<number | undefined> {
    return promised(() => this.oldestStoredAt);
  }

  get size(): number {
    return this.count.get()?.n ?? 0;
  }

  /** When the oldest event still waiting was stored (ms since the epoch), if one waits. */
  get oldestStoredAt(): number | undefined {
    return this.oldest.get()?.at ?? undefined;
  }
}
