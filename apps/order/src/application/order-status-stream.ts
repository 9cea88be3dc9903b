import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { EventBus, ofType } from '@nestjs/cqrs';
import { map, type Observable, ReplaySubject, takeUntil } from 'rxjs';
import {
  OrderStatusChangedEvent,
  type OrderStatusUpdate,
} from './events/order-status-changed.event';

/**
 * The live stream of order status changes that the board follows.
 *
 * Unlike pager's BuzzStream, this is not an @EventsHandler: the event bus runs every handler
 * through a mergeMap, a defer and a promise per event, two or three times per order, whether or
 * not anyone watches. Subscribing to the bus only while a page is open keeps
 * the counter's hot path at one Subject.next with no observers when no one is.
 */
@Injectable()
export class OrderStatusStream implements BeforeApplicationShutdown {
  private readonly closed = new ReplaySubject<void>(1);
  readonly live: Observable<OrderStatusUpdate>;

  constructor(events: EventBus) {
    this.live = events.pipe(
      ofType(OrderStatusChangedEvent),
      map((event) => event.update),
      takeUntil(this.closed),
    );
  }

  /** Ends open streams before the HTTP server closes, or it would wait on them forever. */
  beforeApplicationShutdown(): void {
    this.closed.next();
    this.closed.complete();
  }
}
