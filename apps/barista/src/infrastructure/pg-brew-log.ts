import type { CoffeeBrewed } from '@app/contracts';
import type { PgDatabase, PgProcessedMessages } from '@app/storage';
import { BrewLog } from '../domain/brew-log';

/**
 * The brew log in the barista's PostgreSQL schema, shared by every barista instance: one row
 * per brewed order, and one claim row per order being brewed. Whichever instance gets a
 * redelivery of an order another one brewed finds the brew here and sends its CoffeeBrewed
 * again; an order another one is brewing is left to it while its lease runs.
 */
export class PgBrewLog extends BrewLog {
  constructor(
    private readonly db: PgDatabase,
    private readonly processed: PgProcessedMessages,
  ) {
    super();
  }

  async find(orderId: string): Promise<CoffeeBrewed | undefined> {
    const { rows } = await this.db.query<{ event: string }>(
      'SELECT event FROM brews WHERE order_id = $1',
      [orderId],
    );
    return rows[0] && (JSON.parse(rows[0].event) as CoffeeBrewed);
  }

  /**
   * One statement: a recording transaction that ends the claim holds the claim's row lock, so a
   * claim racing it waits, then sees the claim ended and fails.
   */
  async claim(orderId: string, holder: string, leaseMs: number): Promise<boolean> {
    const claimed = await this.db.query(
      `INSERT INTO brew_claims (order_id, holder, claimed_until)
       SELECT $1, $2, clock_timestamp() + $3::int * interval '1 millisecond'
       WHERE NOT EXISTS (SELECT 1 FROM brews WHERE order_id = $1)
       ON CONFLICT (order_id) DO UPDATE
         SET holder = excluded.holder, claimed_until = excluded.claimed_until
         WHERE brew_claims.claimed_until IS NOT NULL
           AND (brew_claims.claimed_until < clock_timestamp() OR brew_claims.holder = excluded.holder)`,
      [orderId, holder, leaseMs],
    );
    return claimed.rowCount === 1;
  }

  record(brewed: CoffeeBrewed, handledMessageId: string): Promise<CoffeeBrewed> {
    const { orderId } = brewed.data;
    return this.db.transaction(async (tx) => {
      await this.processed.record(tx, handledMessageId);
      await tx.query('UPDATE brew_claims SET claimed_until = NULL WHERE order_id = $1', [orderId]);
      const inserted = await tx.query(
        'INSERT INTO brews (order_id, event) VALUES ($1, $2) ON CONFLICT (order_id) DO NOTHING',
        [orderId, JSON.stringify(brewed)],
      );
      if (inserted.rowCount === 1) return brewed;
      const { rows } = await tx.query<{ event: string }>(
        'SELECT event FROM brews WHERE order_id = $1',
        [orderId],
      );
      return rows[0] ? (JSON.parse(rows[0].event) as CoffeeBrewed) : brewed;
    });
  }

  async latest(limit: number): Promise<{ brews: CoffeeBrewed[]; total: number }> {
    const [newest, count] = await Promise.all([
      this.db.query<{ event: string }>('SELECT event FROM brews ORDER BY seq DESC LIMIT $1', [
        limit,
      ]),
      this.db.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM brews'),
    ]);
    return {
      brews: newest.rows.map((row) => JSON.parse(row.event) as CoffeeBrewed),
      total: count.rows[0]?.n ?? 0,
    };
  }
}
