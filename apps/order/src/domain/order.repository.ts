import type { Order, OrderStatus } from './order';

export abstract class OrderRepository {
  abstract save(order: Order): Promise<void>;
  abstract findById(id: string): Promise<Order | undefined>;
  /** The newest `limit` orders (optionally of one status), newest first, and how many match. */
  abstract list(filter: {
    status?: OrderStatus;
    limit: number;
  }): Promise<{ orders: Order[]; total: number }>;
}

export class OrderNotFoundError extends Error {
  public override readonly name = 'OrderNotFoundError';

  constructor(public readonly orderId: string) {
    super(`No order ${orderId}`);
  }
}
