import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { OrderView } from '../../domain/order';
import { OrderRepository } from '../../domain/order.repository';
import { GetOrderQuery, ListOrdersQuery } from './order.queries';

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(private readonly orders: OrderRepository) {}

  async execute({ id }: GetOrderQuery): Promise<OrderView | undefined> {
    return (await this.orders.findById(id))?.view();
  }
}

@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery> {
  constructor(private readonly orders: OrderRepository) {}

  async execute({ limit, status }: ListOrdersQuery) {
    const { orders, total } = await this.orders.list({ limit, status });
    return { orders: orders.map((order) => order.view()), total };
  }
}
