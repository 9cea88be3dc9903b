import type { IntegrationEvent } from '@app/contracts';
import type { Order, OrderStatus } from '../../domain/order';

/**
 * One transaction on the order store: what a command handler reads and writes there commits
 * together or not at all. Adapters serialise or lock so that two transactions on one order never
 * interleave (SQLite: one at a time; PostgreSQL: the order's row is locked when read).
 */
export interface OrderTransaction {
  /** The order as stored, locked for this transaction. */
  findById(id: string): Promise<Order | undefined>;
  /** Whether a committed transaction recorded `messageId` as handled. */
  hasHandled(messageId: string): Promise<boolean>;
  /**
   * Stores the order, and `outbox` beside it to be published once committed. A store wired
   * without an outbox (TRANSPORT=http, where the caller hands the order on itself) drops them.
   */
  save(order: Order, outbox: readonly IntegrationEvent[]): Promise<void>;
  /** Records `messageId` as handled: a redelivery of it is then recognised. */
  recordHandled(messageId: string): Promise<void>;
}

/** Where the counter keeps its orders: the write side through transactions, and the reads. */
export abstract class OrderRepository {
  /** Runs `work` as one transaction: committed when it resolves, rolled back when it rejects. */
  abstract transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T>;
  abstract findById(id: string): Promise<Order | undefined>;
  /** The newest `limit` orders (optionally of one status), newest first, and how many match. */
  abstract list(filter: {
    status?: OrderStatus;
    limit: number;
  }): Promise<{ orders: Order[]; total: number }>;
  /** How many orders there are of each status (every status, zero included). */
  abstract countByStatus(): Promise<Record<OrderStatus, number>>;
}

/** A count per status, every one at zero (what {@link OrderRepository.countByStatus} starts from). */
export function zeroCounts(): Record<OrderStatus, number> {
  return { placed: 0, brewing: 0, ready: 0, failed: 0 };
}

export class OrderNotFoundError extends Error {
  public override readonly name = 'OrderNotFoundError';

  constructor(public readonly orderId: string) {
    super(`No order ${orderId}`);
  }
}
