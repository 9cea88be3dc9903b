import { Query } from '@nestjs/cqrs';
import type { OrderStatus } from '../../domain/order';
import type { OrderView } from '../views/order.view';

export class GetOrderQuery extends Query<OrderView | undefined> {
  constructor(public readonly id: string) {
    super();
  }
}

export class ListOrdersQuery extends Query<{ orders: OrderView[]; total: number }> {
  constructor(
    public readonly limit: number,
    public readonly status?: OrderStatus,
  ) {
    super();
  }
}
