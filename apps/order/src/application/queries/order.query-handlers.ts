import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { OrderRepository } from '../ports/order.repository';
import { toOrderView, type OrderView } from '../views/order.view';
import { GetOrderQuery, ListOrdersQuery } from './order.queries';

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(private readonly orders: OrderRepository) {}

  async execute({ id }: GetOrderQuery): Promise<OrderView | undefined> {
    const order = await this.orders.findById(id);
    return order && toOrderView(order);
  }
}

@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery> {
  constructor(private readonly orders: OrderRepository) {}

  async execute({ limit, status }: ListOrdersQuery) {
    const { orders, total } = await this.orders.list({ limit, status });
    return { orders: orders.map(toOrderView), total };
  }
}
