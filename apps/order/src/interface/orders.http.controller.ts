import { ApiPageOf, ERROR_SCHEMA, PageQuery, requestValidationPipe } from '@app/platform';
import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { GetOrderQuery, ListOrdersQuery } from '../application/queries/order.queries';
import type { OrderView } from '../application/views/order.view';
import { ORDER_STATUSES, type OrderStatus } from '../domain/order';
import { ORDER_VIEW_SCHEMA } from './order.api-schemas';

export class ListOrdersParams extends PageQuery {
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  public readonly status?: OrderStatus;
}

@ApiTags('orders')
@Controller('orders')
export class OrdersHttpController {
  constructor(private readonly queries: QueryBus) {}

  /** The newest orders (optionally of one status), newest first, with how many match. */
  @Get()
  @ApiOperation({ summary: 'The newest orders, newest first' })
  @ApiPageOf({
    query: ListOrdersParams,
    key: 'orders',
    items: ORDER_VIEW_SCHEMA,
    total: 'How many orders match, all pages.',
  })
  list(
    @Query(requestValidationPipe()) params: ListOrdersParams,
  ): Promise<{ orders: OrderView[]; total: number }> {
    return this.queries.execute(new ListOrdersQuery(params.limit, params.status));
  }

  /** One order with its status history. */
  @Get(':id')
  @ApiOperation({ summary: 'One order with its status history' })
  @ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: ORDER_VIEW_SCHEMA })
  @ApiResponse({ status: 400, description: 'The id is not a UUID.', schema: ERROR_SCHEMA })
  @ApiResponse({ status: 404, description: 'No such order.', schema: ERROR_SCHEMA })
  async one(@Param('id', new ParseUUIDPipe()) id: string): Promise<OrderView> {
    const order = await this.queries.execute(new GetOrderQuery(id));
    if (!order) throw new NotFoundException(`No order ${id}`);
    return order;
  }
}
