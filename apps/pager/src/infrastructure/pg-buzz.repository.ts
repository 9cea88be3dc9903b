import type { PgDatabase, PgProcessedMessages } from '@app/storage';
import type { Buzz } from '../domain/buzz';
import { BUZZ_COLUMNS, type BuzzRow, toBuzz } from './buzz-row';
import { BuzzRepository } from '../domain/buzz.repository';

/**
 * Buzzes in the pager's PostgreSQL schema, one per order whichever pager instance gets the
 * CoffeeBrewed: the order's unique key decides, and the message is recorded as handled in the
 * same transaction.
 */
export class PgBuzzRepository extends BuzzRepository {
  constructor(
    private readonly db: PgDatabase,
    private readonly processed: PgProcessedMessages,
  ) {
    super();
  }

  recordOnce(buzz: Buzz): Promise<Buzz | undefined> {
    const { orderId, customer, buzzedAt, correlationId, messageId } = buzz;
    return this.db.transaction(async (tx) => {
      await this.processed.record(tx, messageId);
      const inserted = await tx.query(
        `INSERT INTO buzzes (${BUZZ_COLUMNS}) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (order_id) DO NOTHING`,
        [orderId, customer, buzzedAt, correlationId, messageId],
      );
      if (inserted.rowCount === 1) return undefined;
      const { rows } = await tx.query<BuzzRow>(
        `SELECT ${BUZZ_COLUMNS} FROM buzzes WHERE order_id = $1`,
        [orderId],
      );
      return rows[0] && toBuzz(rows[0]);
    });
  }

  async findByOrder(orderId: string): Promise<Buzz | undefined> {
    const { rows } = await this.db.query<BuzzRow>(
      `SELECT ${BUZZ_COLUMNS} FROM buzzes WHERE order_id = $1`,
      [orderId],
    );
    return rows[0] && toBuzz(rows[0]);
  }

  async latest(limit: number): Promise<{ buzzes: Buzz[]; total: number }> {
    const [newest, count] = await Promise.all([
      this.db.query<BuzzRow>(`SELECT ${BUZZ_COLUMNS} FROM buzzes ORDER BY seq DESC LIMIT $1`, [
        limit,
      ]),
      this.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM buzzes'),
    ]);
    return { buzzes: newest.rows.map(toBuzz), total: count.rows[0]?.n ?? 0 };
  }
}
