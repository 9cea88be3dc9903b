import type { LineItem } from '@app/contracts';
import type { Observable } from 'rxjs';
import type { OrderStatus } from '../../domain/order';

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

/**
 * The live feed of order status changes that the board follows: changes are published once
 * committed (never for a repeat that changed nothing), and `live` streams them from then on.
 * In one process, or across every instance sharing one store.
 */
export abstract class OrderStatusFeed {
  abstract readonly live: Observable<OrderStatusUpdate>;
  /** Never throws and never waits: the board is a view, the order is already stored. */
  abstract publish(updates: readonly OrderStatusUpdate[]): void;
}
