import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import { BuzzFeed } from '../application/ports/buzz-feed.port';
import type { Buzz } from '../domain/buzz';

/** The buzzes of this process (one instance, its own store): a Subject. */
@Injectable()
export class InProcessBuzzFeed extends BuzzFeed implements BeforeApplicationShutdown {
  private readonly buzzes = new Subject<Buzz>();
  readonly live: Observable<Buzz> = this.buzzes.asObservable();

  publish(buzz: Buzz): void {
    this.buzzes.next(buzz);
  }

  /** Ends open streams before the HTTP server closes, or it would wait on them forever. */
  beforeApplicationShutdown(): void {
    this.buzzes.complete();
  }
}
