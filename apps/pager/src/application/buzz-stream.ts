import { Injectable } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import type { Observable } from 'rxjs';
import type { Buzz } from '../domain/buzz';
import { CustomerBuzzedEvent } from './events/customer-buzzed.event';
import { BuzzFeed } from './ports/buzz-feed.port';

/**
 * The live stream of buzzes that customer pages and the benchmark follow: each new buzz goes to
 * the feed, and the feed brings every instance's (one process's, or all on a shared store).
 */
@Injectable()
@EventsHandler(CustomerBuzzedEvent)
export class BuzzStream implements IEventHandler<CustomerBuzzedEvent> {
  constructor(private readonly feed: BuzzFeed) {}

  handle(event: CustomerBuzzedEvent): void {
    this.feed.publish(event.buzz);
  }

  get live(): Observable<Buzz> {
    return this.feed.live;
  }
}
