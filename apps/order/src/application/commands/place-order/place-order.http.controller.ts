import { PlaceOrderRequest } from '@app/contracts';
import {
  CORRELATION_ID_HEADER,
  CorrelationId,
  requestValidationPipe,
  schemaRef,
  Traceparent,
  TRACEPARENT_HEADER,
  VALIDATION_ERROR_SCHEMA,
} from '@app/platform';
import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HAND_OVER_FAILED_SCHEMA, ORDER_VIEW_SCHEMA } from '../../../interface/order.api-schemas';
import type { OrderView } from '../../views/order.view';
import { PlaceOrderCommand } from './place-order.command';

const PLACED_HEADERS = {
  Location: { description: 'The order: `/orders/{id}`.', schema: { type: 'string' } },
  [CORRELATION_ID_HEADER.name]: {
    description: "The request's correlation id (the caller's, or a new one).",
    schema: { type: 'string' },
  },
};

@ApiTags('orders')
@Controller('orders')
export class PlaceOrderHttpController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * 201 Created when the order is ready by the time it is answered (the sync chain brewed it and
   * buzzed the customer: http), 202 Accepted when it is stored and its coffee comes later (rmq).
   */
  @Post()
  @ApiOperation({
    summary: 'Place an order',
    description:
      'Which success status a client gets depends on the transport the shop runs: 201 under ' +
      'TRANSPORT=http (the call waits for the brew and the buzz), 202 under TRANSPORT=rmq ' +
      '(stored and OrderPlaced queued; poll `GET /orders/{id}` or wait for the pager).',
  })
  @ApiHeader(CORRELATION_ID_HEADER)
  @ApiHeader(TRACEPARENT_HEADER)
  @ApiBody({ schema: schemaRef(PlaceOrderRequest) })
  @ApiResponse({
    status: 201,
    description: 'TRANSPORT=http: brewed and the customer buzzed; the order is `ready`.',
    schema: ORDER_VIEW_SCHEMA,
    headers: PLACED_HEADERS,
  })
  @ApiResponse({
    status: 202,
    description: 'TRANSPORT=rmq: stored with its OrderPlaced event; the order is `placed`.',
    schema: ORDER_VIEW_SCHEMA,
    headers: PLACED_HEADERS,
  })
  @ApiResponse({
    status: 400,
    description: 'The body breaks the contract; every offending field is named.',
    schema: VALIDATION_ERROR_SCHEMA,
  })
  @ApiResponse({
    status: 503,
    description:
      'A hop (http: barista or pager; rmq: the broker) was down or refused the order; it is ' +
      'kept, marked failed, and the hop named.',
    schema: HAND_OVER_FAILED_SCHEMA,
  })
  @ApiResponse({
    status: 504,
    description: 'A hop did not answer in time; the order is kept, marked failed.',
    schema: HAND_OVER_FAILED_SCHEMA,
  })
  async place(
    @Body(requestValidationPipe()) request: PlaceOrderRequest,
    @CorrelationId() correlationId: string,
    @Traceparent() traceparent: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderView> {
    const order = await this.commands.execute(
      new PlaceOrderCommand(request, correlationId, traceparent),
    );
    reply.status(order.status === 'ready' ? 201 : 202).header('location', `/orders/${order.id}`);
    return order;
  }
}
