import type { LineItem } from '@app/contracts';
import type { Order, OrderStatus, StatusChange } from '../../domain/order';

/** An order as the API shows it. */
export interface OrderView {
  readonly id: string;
  readonly customer: string;
  readonly items: readonly LineItem[];
  readonly status: OrderStatus;
  readonly history: readonly StatusChange[];
  readonly correlationId: string;
}

/** A snapshot: changing it or the order later does not affect the other. */
export function toOrderView(order: Order): OrderView {
  return {
    id: order.id,
    customer: order.customer,
    items: order.items.map((item) => ({ ...item })),
    status: order.status,
    history: order.history.map((change) => ({ ...change })),
    correlationId: order.correlationId,
  };
}
