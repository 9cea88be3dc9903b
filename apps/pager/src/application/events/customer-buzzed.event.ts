import type { Buzz } from '../../domain/buzz';

export class CustomerBuzzedEvent {
  constructor(public readonly buzz: Buzz) {}
}
