import { type PgDatabase, PgNotifications } from '@app/storage';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { Observable } from 'rxjs';
import {
  OrderStatusFeed,
  type OrderStatusUpdate,
} from '../application/ports/order-status-feed.port';

/**
 * The live feed across every order instance on one PostgreSQL database (NOTIFY once committed,
 * LISTEN in each instance: {@link PgNotifications}), so a board open on any instance sees the
 * changes every instance makes. Changes made while an instance's listening connection is away
 * (a PostgreSQL restart) are not replayed: the board shows them from `GET /orders`.
 */
export class PgOrderStatusFeed
  extends OrderStatusFeed
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly notifications: PgNotifications<OrderStatusUpdate>;
  readonly live: Observable<OrderStatusUpdate>;

  constructor(db: PgDatabase, url: string) {
    super();
    this.notifications = new PgNotifications(db, url, {
      topic: 'order_status',
      purpose: 'board feed',
    });
    this.live = this.notifications.live;
  }

  publish(updates: readonly OrderStatusUpdate[]): void {
    this.notifications.publish(updates);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.notifications.start();
  }

  /** Ends open streams before the HTTP server closes, or it would wait on them forever. */
  beforeApplicationShutdown(): Promise<void> {
    return this.notifications.stop();
  }
}
