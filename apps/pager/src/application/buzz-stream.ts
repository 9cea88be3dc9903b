import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Subject, type Observable } from 'rxjs';
import type { Buzz } from '../domain/buzz';
import { CustomerBuzzedEvent } from './events/customer-buzzed.event';

/** The live stream of buzzes that customer pages and the benchmark follow. */
@Injectable()
@EventsHandler(CustomerBuzzedEvent)
export class BuzzStream implements IEventHandler<CustomerBuzzedEvent>, BeforeApplicationShutdown {
  private readonly buzzes = new Subject<Buzz>();

  handle(event: CustomerBuzzedEvent): void {
    this.buzzes.next(event.buzz);
  }

  get live(): Observable<Buzz> {
    return this.buzzes.asObservable();
  }

  /** Ends open streams before the HTTP server closes, or it would wait on them forever. */
  beforeApplicationShutdown(): void {
    this.buzzes.complete();
  }
}
