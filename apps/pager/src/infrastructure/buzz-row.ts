import type { Buzz } from '../domain/buzz';

/** A buzz as both stores keep it: one row, the same columns. */
export interface BuzzRow {
  order_id: string;
  customer: string;
  buzzed_at: string;
  correlation_id: string;
  message_id: string;
}

export const BUZZ_COLUMNS = 'order_id, customer, buzzed_at, correlation_id, message_id';

export function toBuzz(row: BuzzRow): Buzz {
  return {
    orderId: row.order_id,
    customer: row.customer,
    buzzedAt: row.buzzed_at,
    correlationId: row.correlation_id,
    messageId: row.message_id,
  };
}
