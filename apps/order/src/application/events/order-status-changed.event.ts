import type { LineItem } from '@app/contracts';
import type { Order, OrderStatus } from '../../domain/order';

/** One status change of one order, as the live board shows it. */
export interface OrderStatusUpdate {
  readonly id: string;
  readonly customer: string;
  readonly items: readonly LineItem[];
  readonly status: OrderStatus;
  readonly at: string;
  /** Why, for a failure. */
  readonly reason?: string;
}

/** Published once a status change of an order is stored (never for a repeat that changed nothing). */
export class OrderStatusChangedEvent {
  constructor(public readonly update: OrderStatusUpdate) {}

  static of(order: Order, status: OrderStatus, at: string, reason?: string) {
    const { id, customer, items } = order;
    return new OrderStatusChangedEvent({ id, customer, items, status, at, reason });
  }
}
