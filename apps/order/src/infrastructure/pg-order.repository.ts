import type { IntegrationEvent } from '@app/contracts';
import { type PgDatabase, type PgOutbox, PgProcessedMessages, type Queryable } from '@app/storage';
import {
  OrderRepository,
  type OrderTransaction,
  zeroCounts,
} from '../application/ports/order.repository';
import type { Order, OrderStatus } from '../domain/order';
import { ORDER_COLUMNS, type OrderRow, restoreOrder } from './order-row';

/**
 * Orders in the counter's PostgreSQL schema, shared by every order instance: the same rows as
 * in SQLite. A transaction reads an order `FOR UPDATE`, so two instances changing one order
 * (BrewStarted here, CoffeeBrewed there) take turns and neither loses the other's change; the
 * outbox rows and the handled message id commit with the order or not at all.
 */
export class PgOrderRepository extends OrderRepository {
  constructor(
    private readonly db: PgDatabase,
    /** Where the events of a save go; without one (http) they are not kept. */
    private readonly outbox?: PgOutbox,
  ) {
    super();
  }

  transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction((q) => {
      const processed = new PgProcessedMessages(q);
      return work({
        findById: (id) => this.find(q, id, ' FOR UPDATE'),
        hasHandled: (messageId) => processed.has(messageId),
        save: (order, outbox) => this.save(q, order, outbox),
        recordHandled: async (messageId) => {
          await processed.record(q, messageId);
        },
      });
    });
  }

  findById(id: string): Promise<Order | undefined> {
    return this.find(this.db, id, '');
  }

  async list(filter: {
    status?: OrderStatus;
    limit: number;
  }): Promise<{ orders: Order[]; total: number }> {
    const { status, limit } = filter;
    const where = status ? 'WHERE status = $1' : '';
    const params = status ? [status] : [];
    const [rows, count] = await Promise.all([
      this.db.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM orders ${where} ORDER BY seq DESC LIMIT $${params.length + 1}`,
        [...params, limit],
      ),
      this.db.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM orders ${where}`, params),
    ]);
    return { orders: rows.rows.map(restoreOrder), total: count.rows[0]?.n ?? 0 };
  }

  async countByStatus(): Promise<Record<OrderStatus, number>> {
    const counts = zeroCounts();
    const { rows } = await this.db.query<{ status: OrderStatus; n: number }>(
      'SELECT status, COUNT(*)::int AS n FROM orders GROUP BY status',
    );
    for (const { status, n } of rows) counts[status] = n;
    return counts;
  }

  private async find(q: Queryable, id: string, lock: string): Promise<Order | undefined> {
    const { rows } = await q.query<OrderRow>(
      `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1${lock}`,
      [id],
    );
    return rows[0] && restoreOrder(rows[0]);
  }

  private async save(
    q: Queryable,
    order: Order,
    outbox: readonly IntegrationEvent[],
  ): Promise<void> {
    await q.query(
      `INSERT INTO orders (id, customer, items, correlation_id, status, history)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, history = excluded.history`,
      [
        order.id,
        order.customer,
        JSON.stringify(order.items),
        order.correlationId,
        order.status,
        JSON.stringify(order.history),
      ],
    );
    for (const event of this.outbox ? outbox : []) await this.outbox!.add(q, event);
  }
}
