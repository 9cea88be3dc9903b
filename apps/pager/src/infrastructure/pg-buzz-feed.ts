import { type PgDatabase, PgNotifications } from '@app/storage';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { BuzzFeed } from '../application/ports/buzz-feed.port';
import type { Buzz } from '../domain/buzz';

/**
 * The buzzes of every pager instance on one PostgreSQL database ({@link PgNotifications}), so a
 * page following `/buzzes/stream` on any instance (behind a gateway, whichever it reached) sees
 * every customer buzzed. Buzzes made while the listening connection is away are not replayed:
 * `GET /buzzes` has them.
 */
export class PgBuzzFeed
  extends BuzzFeed
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly notifications: PgNotifications<Buzz>;
  readonly live: Observable<Buzz>;

  constructor(db: PgDatabase, url: string) {
    super();
    this.notifications = new PgNotifications(db, url, { topic: 'buzzes', purpose: 'buzz feed' });
    this.live = this.notifications.live;
  }

  publish(buzz: Buzz): void {
    this.notifications.publish([buzz]);
  }

  onApplicationBootstrap(): Promise<void> {
    return this.notifications.start();
  }

  /** Ends open streams before the HTTP server closes, or it would wait on them forever. */
  beforeApplicationShutdown(): Promise<void> {
    return this.notifications.stop();
  }
}
