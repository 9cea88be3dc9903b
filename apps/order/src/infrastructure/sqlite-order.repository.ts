import type { LineItem } from '@app/contracts';
import { type Outbox, type ProcessedMessages, promised, type SqliteDatabase } from '@app/storage';
import { Order, type OrderStatus, type StatusChange, zeroCounts } from '../domain/order';
import { OrderRepository, type SaveOptions } from '../domain/order.repository';

interface OrderRow {
  id: string;
  customer: string;
  items: string;
  correlation_id: string;
  history: string;
}

const COLUMNS = 'id, customer, items, correlation_id, history';

/**
 * Orders in the counter's SQLite file: one row per order, its items and history as JSON, the
 * status in a column of its own for the list. A save is one transaction with whatever comes
 * with it: the events to publish (the outbox, under rmq) and the id of the message handled.
 */
export class SqliteOrderRepository extends OrderRepository {
  /** The history each copy was read or saved with: a save compares it with the stored one. */
  private readonly seen = new WeakMap<Order, string>();
  private readonly store: (order: Order, options: SaveOptions) => void;
  private readonly byId;
  private readonly historyOf;
  private readonly newest;
  private readonly newestOf;
  private readonly count;
  private readonly countOf;
  private readonly countEach;

  constructor(
    db: SqliteDatabase,
    private readonly processed: ProcessedMessages,
    /** Where the events of a save go; without one (http) they are not kept. */
    private readonly outbox?: Outbox,
  ) {
    super();
    this.byId = db.prepare<[string], OrderRow>(`SELECT ${COLUMNS} FROM orders WHERE id = ?`);
    this.historyOf = db.prepare<[string], { history: string }>(
      'SELECT history FROM orders WHERE id = ?',
    );
    this.newest = db.prepare<[number], OrderRow>(
      `SELECT ${COLUMNS} FROM orders ORDER BY seq DESC LIMIT ?`,
    );
    this.newestOf = db.prepare<[string, number], OrderRow>(
      `SELECT ${COLUMNS} FROM orders WHERE status = ? ORDER BY seq DESC LIMIT ?`,
    );
    this.count = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM orders');
    this.countOf = db.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM orders WHERE status = ?',
    );
    this.countEach = db.prepare<[], { status: OrderStatus; n: number }>(
      'SELECT status, COUNT(*) AS n FROM orders GROUP BY status',
    );
    const upsert = db.prepare<[string, string, string, string, string, string]>(
      `INSERT INTO orders (id, customer, items, correlation_id, status, history)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, history = excluded.history`,
    );
    this.store = db.transaction((order: Order, options: SaveOptions) => {
      const stored = this.historyOf.get(order.id)?.history;
      // Another copy of this order was saved since this one was read: keep its changes too.
      if (stored !== undefined && stored !== this.seen.get(order)) {
        order.absorb(JSON.parse(stored) as StatusChange[]);
      }
      const history = JSON.stringify(order.history);
      upsert.run(
        order.id,
        order.customer,
        JSON.stringify(order.items),
        order.correlationId,
        order.status,
        history,
      );
      for (const event of options.events ?? []) this.outbox?.add(event);
      if (options.handledMessageId) this.processed.record(options.handledMessageId);
      this.seen.set(order, history);
    });
  }

  save(order: Order, options: SaveOptions = {}): Promise<void> {
    return promised(() => this.store(order, options));
  }

  findById(id: string): Promise<Order | undefined> {
    return promised(() => {
      const row = this.byId.get(id);
      return row && this.restore(row);
    });
  }

  list(filter: {
    status?: OrderStatus;
    limit: number;
  }): Promise<{ orders: Order[]; total: number }> {
    const { status, limit } = filter;
    return promised(() => {
      const rows = status ? this.newestOf.all(status, limit) : this.newest.all(limit);
      const total = (status ? this.countOf.get(status) : this.count.get())?.n ?? 0;
      return { orders: rows.map((row) => this.restore(row)), total };
    });
  }

  countByStatus(): Promise<Record<OrderStatus, number>> {
    return promised(() => {
      const counts = zeroCounts();
      for (const { status, n } of this.countEach.all()) counts[status] = n;
      return counts;
    });
  }

  hasHandled(messageId: string): Promise<boolean> {
    return promised(() => this.processed.has(messageId));
  }

  private restore(row: OrderRow): Order {
    const order = Order.restore({
      id: row.id,
      customer: row.customer,
      items: JSON.parse(row.items) as LineItem[],
      correlationId: row.correlation_id,
      history: JSON.parse(row.history) as StatusChange[],
    });
    this.seen.set(order, row.history);
    return order;
  }
}
