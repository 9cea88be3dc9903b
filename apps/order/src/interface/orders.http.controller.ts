import { PageQuery, requestValidationPipe } from '@app/platform';
import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { IsIn, IsOptional } from 'class-validator';
import { GetOrderQuery, ListOrdersQuery } from '../application/queries/order.queries';
import { ORDER_STATUSES, type OrderStatus, type OrderView } from '../domain/order';

export class ListOrdersParams extends PageQuery {
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  public readonly status?: OrderStatus;
}

@Controller('orders')
export class OrdersHttpController {
  constructor(private readonly queries: QueryBus) {}

  /** The newest orders (optionally of one status), newest first, with how many match. */
  @Get()
  list(
    @Query(requestValidationPipe()) params: ListOrdersParams,
  ): Promise<{ orders: OrderView[]; total: number }> {
    return this.queries.execute(new ListOrdersQuery(params.limit, params.status));
  }

  /** One order with its status history. */
  @Get(':id')
  async one(@Param('id', new ParseUUIDPipe()) id: string): Promise<OrderView> {
    const order = await this.queries.execute(new GetOrderQuery(id));
    if (!order) throw new NotFoundException(`No order ${id}`);
    return order;
  }
}
