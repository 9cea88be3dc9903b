import type { LineItem } from '@app/contracts';
import { Order, type StatusChange } from '../domain/order';

/** An order as both stores keep it: one row, the items and history as JSON text. */
export interface OrderRow {
  id: string;
  customer: string;
  items: string;
  correlation_id: string;
  history: string;
}

export const ORDER_COLUMNS = 'id, customer, items, correlation_id, history';

export function restoreOrder(row: OrderRow): Order {
  return Order.restore({
    id: row.id,
    customer: row.customer,
    items: JSON.parse(row.items) as LineItem[],
    correlationId: row.correlation_id,
    history: JSON.parse(row.history) as StatusChange[],
  });
}
