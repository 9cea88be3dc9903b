import type { IntegrationEvent } from '@app/contracts';
import type { Order, OrderStatus } from './order';

/** What is stored in the same transaction as the order. */
export interface SaveOptions {
  /**
   * Events this change raised, to be published once the order is stored. A repository wired
   * with an outbox (TRANSPORT=rmq) stores them with the order, all or nothing, and its relay
   * publishes them; one without (http, where the caller hands the order on itself) ignores them.
   */
  readonly events?: readonly IntegrationEvent[];
  /** The message whose handling this change is: a redelivery of it is then recognised. */
  readonly handledMessageId?: string;
}

export abstract class OrderRepository {
  /**
   * Stores the order. Changes stored meanwhile through another copy of the same order (two
   * events handled at once) are kept: the stored history is the union of both.
   */
  abstract save(order: Order, options?: SaveOptions): Promise<void>;
  abstract findById(id: string): Promise<Order | undefined>;
  /** The newest `limit` orders (optionally of one status), newest first, and how many match. */
  abstract list(filter: {
    status?: OrderStatus;
    limit: number;
  }): Promise<{ orders: Order[]; total: number }>;
  /** How many orders there are of each status (every status, zero included). */
  abstract countByStatus(): Promise<Record<OrderStatus, number>>;
  /** Whether a save recorded `messageId` as handled. */
  abstract hasHandled(messageId: string): Promise<boolean>;
}

export class OrderNotFoundError extends Error {
  public override readonly name = 'OrderNotFoundError';

  constructor(public readonly orderId: string) {
    super(`No order ${orderId}`);
  }
}
