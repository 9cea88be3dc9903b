import type { IntegrationEvent } from '@app/contracts';
import { type Outbox, type ProcessedMessages, promised, type SqliteDatabase } from '@app/storage';
import {
  OrderRepository,
  type OrderTransaction,
  zeroCounts,
} from '../application/ports/order.repository';
import type { Order, OrderStatus } from '../domain/order';
import { ORDER_COLUMNS, type OrderRow, restoreOrder } from './order-row';

/** What one transaction writes, applied at once when it commits. */
interface Writes {
  readonly orders: Map<string, Order>;
  readonly outbox: IntegrationEvent[];
  readonly handled: string[];
}

/**
 * Orders in the counter's SQLite file: one row per order, its items and history as JSON, the
 * status in a column of its own for the list. better-sqlite3 is synchronous, so a transaction's
 * reads run as it asks and its writes (orders, outbox rows under rmq, handled message ids) are
 * kept until its work resolves, then applied in one SQLite transaction. Transactions run one at
 * a time: none reads an order another is about to write. One process owns the file; several
 * instances share a PostgreSQL database instead.
 */
export class SqliteOrderRepository extends OrderRepository {
  private readonly apply: (writes: Writes) => void;
  private readonly byId;
  private readonly newest;
  private readonly newestOf;
  private readonly count;
  private readonly countOf;
  private readonly countEach;
  /** The transaction running now and those queued behind it. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    db: SqliteDatabase,
    private readonly processed: ProcessedMessages,
    /** Where the events of a save go; without one (http) they are not kept. */
    private readonly outbox?: Outbox,
  ) {
    super();
    this.byId = db.prepare<[string], OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = ?`);
    this.newest = db.prepare<[number], OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders ORDER BY seq DESC LIMIT ?`,
    );
    this.newestOf = db.prepare<[string, number], OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE status = ? ORDER BY seq DESC LIMIT ?`,
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
    this.apply = db.transaction(({ orders, outbox, handled }: Writes) => {
      for (const order of orders.values()) {
        upsert.run(
          order.id,
          order.customer,
          JSON.stringify(order.items),
          order.correlationId,
          order.status,
          JSON.stringify(order.history),
        );
      }
      for (const event of outbox) this.outbox?.add(event);
      for (const messageId of handled) this.processed.record(messageId);
    });
  }

  transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.run(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  findById(id: string): Promise<Order | undefined> {
    return promised(() => {
      const row = this.byId.get(id);
      return row && restoreOrder(row);
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
      return { orders: rows.map(restoreOrder), total };
    });
  }

  countByStatus(): Promise<Record<OrderStatus, number>> {
    return promised(() => {
      const counts = zeroCounts();
      for (const { status, n } of this.countEach.all()) counts[status] = n;
      return counts;
    });
  }

  private async run<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    const writes: Writes = { orders: new Map(), outbox: [], handled: [] };
    const result = await work({
      findById: (id) => {
        const saved = writes.orders.get(id);
        return saved ? Promise.resolve(saved) : this.findById(id);
      },
      hasHandled: (messageId) => promised(() => this.processed.has(messageId)),
      save: (order, outbox) => {
        writes.orders.set(order.id, order);
        writes.outbox.push(...outbox);
        return Promise.resolve();
      },
      recordHandled: (messageId) => {
        writes.handled.push(messageId);
        return Promise.resolve();
      },
    });
    this.apply(writes);
    return result;
  }
}
