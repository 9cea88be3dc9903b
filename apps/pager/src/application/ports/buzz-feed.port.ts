import type { Observable } from 'rxjs';
import type { Buzz } from '../../domain/buzz';

/**
 * Where new buzzes are announced to the pages and clients following them: within this process,
 * or across every pager instance sharing one store.
 */
export abstract class BuzzFeed {
  abstract readonly live: Observable<Buzz>;
  /** Never throws and never waits: the buzz is already stored. */
  abstract publish(buzz: Buzz): void;
}
