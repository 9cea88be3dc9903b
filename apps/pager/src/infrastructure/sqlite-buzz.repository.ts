import { type ProcessedMessages, promised, type SqliteDatabase } from '@app/storage';
import type { Buzz } from '../domain/buzz';
import { BUZZ_COLUMNS, type BuzzRow, toBuzz } from './buzz-row';
import { BuzzRepository } from '../domain/buzz.repository';

/**
 * Buzzes in the pager's SQLite file, one per order. The CoffeeBrewed message that caused a buzz
 * is recorded as handled in the same transaction, so a redelivery is known also after a restart.
 */
export class SqliteBuzzRepository extends BuzzRepository {
  private readonly byOrder;
  private readonly newest;
  private readonly count;
  private readonly store: (buzz: Buzz) => Buzz | undefined;

  constructor(db: SqliteDatabase, processed: ProcessedMessages) {
    super();
    this.byOrder = db.prepare<[string], BuzzRow>(
      `SELECT ${BUZZ_COLUMNS} FROM buzzes WHERE order_id = ?`,
    );
    this.newest = db.prepare<[number], BuzzRow>(
      `SELECT ${BUZZ_COLUMNS} FROM buzzes ORDER BY seq DESC LIMIT ?`,
    );
    this.count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM buzzes');
    const insert = db.prepare<[string, string, string, string, string]>(
      `INSERT OR IGNORE INTO buzzes (${BUZZ_COLUMNS}) VALUES (?, ?, ?, ?, ?)`,
    );
    this.store = db.transaction((buzz: Buzz): Buzz | undefined => {
      processed.record(buzz.messageId);
      const { orderId, customer, buzzedAt, correlationId, messageId } = buzz;
      if (insert.run(orderId, customer, buzzedAt, correlationId, messageId).changes === 1) {
        return undefined;
      }
      return this.read(orderId);
    });
  }

  recordOnce(buzz: Buzz): Promise<Buzz | undefined> {
    return promised(() => this.store(buzz));
  }

  findByOrder(orderId: string): Promise<Buzz | undefined> {
    return promised(() => this.read(orderId));
  }

  latest(limit: number): Promise<{ buzzes: Buzz[]; total: number }> {
    return promised(() => ({
      buzzes: this.newest.all(limit).map(toBuzz),
      total: this.count.get()?.n ?? 0,
    }));
  }

  private read(orderId: string): Buzz | undefined {
    const row = this.byOrder.get(orderId);
    return row && toBuzz(row);
  }
}
