import type { CoffeeBrewed } from '@app/contracts';
import { type ProcessedMessages, promised, type SqliteDatabase } from '@app/storage';
import { BrewLog } from '../domain/brew-log';

/**
 * The brew log in the barista's SQLite file: one row per order, holding the CoffeeBrewed that
 * was (or is to be) published for it, and the claims of the orders being brewed. Baristas on
 * one host may share the file: the first to record an order's brew keeps it, and the others get
 * that one back.
 */
export class SqliteBrewLog extends BrewLog {
  private readonly byOrder;
  private readonly newest;
  private readonly count;
  private readonly store: (brewed: CoffeeBrewed, handledMessageId: string) => CoffeeBrewed;
  private readonly take: (orderId: string, holder: string, leaseMs: number) => boolean;

  constructor(db: SqliteDatabase, processed: ProcessedMessages) {
    super();
    this.byOrder = db.prepare<[string], { event: string }>(
      'SELECT event FROM brews WHERE order_id = ?',
    );
    this.newest = db.prepare<[number], { event: string }>(
      'SELECT event FROM brews ORDER BY seq DESC LIMIT ?',
    );
    this.count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM brews');
    const insert = db.prepare<[string, string]>(
      'INSERT OR IGNORE INTO brews (order_id, event) VALUES (?, ?)',
    );
    const upsertClaim = db.prepare<[string, string, number, number]>(
      `INSERT INTO brew_claims (order_id, holder, claimed_until) VALUES (?, ?, ?)
       ON CONFLICT (order_id) DO UPDATE SET holder = excluded.holder, claimed_until = excluded.claimed_until
       WHERE brew_claims.claimed_until IS NOT NULL
         AND (brew_claims.claimed_until < ? OR brew_claims.holder = excluded.holder)`,
    );
    const endClaim = db.prepare<[string]>(
      'UPDATE brew_claims SET claimed_until = NULL WHERE order_id = ?',
    );
    this.take = db.transaction((orderId: string, holder: string, leaseMs: number) => {
      if (this.byOrder.get(orderId)) return false;
      const now = Date.now();
      return upsertClaim.run(orderId, holder, now + leaseMs, now).changes === 1;
    });
    this.store = db.transaction((brewed: CoffeeBrewed, handledMessageId: string) => {
      processed.record(handledMessageId);
      endClaim.run(brewed.data.orderId);
      if (insert.run(brewed.data.orderId, JSON.stringify(brewed)).changes === 1) return brewed;
      return this.read(brewed.data.orderId) ?? brewed;
    });
  }

  find(orderId: string): Promise<CoffeeBrewed | undefined> {
    return promised(() => this.read(orderId));
  }

  claim(orderId: string, holder: string, leaseMs: number): Promise<boolean> {
    return promised(() => this.take(orderId, holder, leaseMs));
  }

  record(brewed: CoffeeBrewed, handledMessageId: string): Promise<CoffeeBrewed> {
    return promised(() => this.store(brewed, handledMessageId));
  }

  latest(limit: number): Promise<{ brews: CoffeeBrewed[]; total: number }> {
    return promised(() => ({
      brews: this.newest.all(limit).map((row) => JSON.parse(row.event) as CoffeeBrewed),
      total: this.count.get()?.n ?? 0,
    }));
  }

  private read(orderId: string): CoffeeBrewed | undefined {
    const row = this.byOrder.get(orderId);
    return row && (JSON.parse(row.event) as CoffeeBrewed);
  }
}
