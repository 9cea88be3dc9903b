import { PlaceOrderRequest } from '@app/contracts';
import { CorrelationId, requestValidationPipe, Traceparent } from '@app/platform';
import { Body, Controller, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import type { OrderView } from '../../../domain/order';
import { PlaceOrderCommand } from './place-order.command';

@Controller('orders')
export class PlaceOrderHttpController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * 202 Accepted when the order is queued (rmq: the broker confirmed OrderPlaced), 201 Created
   * with the ready order when the sync chain brewed it and buzzed the customer (http).
   */
  @Post()
  async place(
    @Body(requestValidationPipe()) request: PlaceOrderRequest,
    @CorrelationId() correlationId: string,
    @Traceparent() traceparent: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OrderView> {
    const { order, handOver } = await this.commands.execute(
      new PlaceOrderCommand(request, correlationId, traceparent),
    );
    reply.status(handOver === 'completed' ? 201 : 202).header('location', `/orders/${order.id}`);
    return order;
  }
}
