import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import {
  OrderStatusFeed,
  type OrderStatusUpdate,
} from '../application/ports/order-status-feed.port';

/**
 * The live feed within this process (one instance, its own store): a Subject, so the counter's
 * hot path pays one `next` with no observers while no board is open.
 */
@Injectable()
export class InProcessOrderStatusFeed extends OrderStatusFeed implements BeforeApplicationShutdown {
  private readonly updates = new Subject<OrderStatusUpdate>();
  readonly live: Observable<OrderStatusUpdate> = this.updates.asObservable();

  publish(updates: readonly OrderStatusUpdate[]): void {
    for (const update of updates) this.updates.next(update);
  }

  /** Ends open streams before the HTTP server closes, or it would wait on them forever. */
  beforeApplicationShutdown(): void {
    this.updates.complete();
  }
}
