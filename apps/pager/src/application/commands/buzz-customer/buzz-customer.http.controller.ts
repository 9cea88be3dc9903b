import { CoffeeBrewed, HttpHeaders } from '@app/contracts';
import { messageValidationPipe } from '@app/messaging';
import { checkIdempotencyKey } from '@app/platform';
import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import type { Buzz } from '../../../domain/buzz';
import { BuzzCustomerCommand } from './buzz-customer.command';

/** TRANSPORT=http: order tells the pager that a coffee is ready by posting CoffeeBrewed. */
@Controller('buzzes')
export class BuzzCustomerHttpController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * 201 for a new buzz; 200 with the earlier buzz when this order was buzzed already (a retry).
   * `Idempotency-Key`, when sent, must be the order id: the customer is buzzed once per order.
   */
  @Post()
  async buzz(
    @Body(messageValidationPipe()) brewed: CoffeeBrewed,
    @Headers(HttpHeaders.IdempotencyKey) key: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Buzz> {
    checkIdempotencyKey(key, brewed.data.orderId);
    const { buzz, repeated } = await this.commands.execute(new BuzzCustomerCommand(brewed));
    reply.status(repeated ? 200 : 201);
    return buzz;
  }
}
