import { Query } from '@nestjs/cqrs';
import type { Buzz } from '../../domain/buzz';

export class ListBuzzesQuery extends Query<{ buzzes: Buzz[]; total: number }> {
  constructor(public readonly limit: number) {
    super();
  }
}

export class GetBuzzQuery extends Query<Buzz | undefined> {
  constructor(public readonly orderId: string) {
    super();
  }
}
