import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Buzz } from '../../domain/buzz';
import { BuzzRepository } from '../../domain/buzz.repository';
import { GetBuzzQuery, ListBuzzesQuery } from './list-buzzes.query';

@QueryHandler(ListBuzzesQuery)
export class ListBuzzesHandler implements IQueryHandler<ListBuzzesQuery> {
  constructor(private readonly buzzes: BuzzRepository) {}

  execute({ limit }: ListBuzzesQuery): Promise<{ buzzes: Buzz[]; total: number }> {
    return this.buzzes.latest(limit);
  }
}

@QueryHandler(GetBuzzQuery)
export class GetBuzzHandler implements IQueryHandler<GetBuzzQuery> {
  constructor(private readonly buzzes: BuzzRepository) {}

  execute({ orderId }: GetBuzzQuery): Promise<Buzz | undefined> {
    return this.buzzes.findByOrder(orderId);
  }
}
