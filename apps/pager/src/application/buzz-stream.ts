import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Subject, type Observable } from 'rxjs';
import type { Buzz } from '../domain/buzz';
import { CustomerBuzzedEvent } from './events/customer-buzzed.event';

/** The live stream of buzzes that customer pages and the benchmark follow. */
@Injectable()
@EventsHandler(CustomerBuzzedEvent)
export class BuzzStream implements IEventHandler<CustomerBuzzedEvent>, OnApplicationShutdown {
  private readonly buzzes = new Subject<Buzz>();

  handle(event: CustomerBuzzedEvent): void {
    this.buzzes.next(event.buzz);
  }

  get live(): Observable<Buzz> {
    return this.buzzes.asObservable();
  }

  /** Ends open streams, or the HTTP server would wait on them forever when shutting down. */
  onApplicationShutdown(): void {
    this.buzzes.complete();
  }
}
