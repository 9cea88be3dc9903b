import { CoffeeBrewed, HttpHeaders } from '@app/contracts';
import { messageValidationPipe } from '@app/messaging';
import {
  checkIdempotencyKey,
  IDEMPOTENCY_KEY_HEADER,
  MESSAGE_ERROR_SCHEMA,
  schemaRef,
} from '@app/platform';
import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Buzz } from '../../../domain/buzz';
import { BUZZ_SCHEMA } from '../../../interface/buzz.api-schema';
import { BuzzCustomerCommand } from './buzz-customer.command';

/** TRANSPORT=http: order tells the pager that a coffee is ready by posting CoffeeBrewed. */
@ApiTags('buzzes')
@Controller('buzzes')
export class BuzzCustomerHttpController {
  constructor(private readonly commands: CommandBus) {}

  /**
   * 201 for a new buzz; 200 with the earlier buzz when this order was buzzed already (a retry).
   * `Idempotency-Key`, when sent, must be the order id: the customer is buzzed once per order.
   */
  @Post()
  @ApiOperation({
    summary: 'TRANSPORT=http: buzz the customer (order calls this once the coffee is brewed)',
    description: 'The body is the CoffeeBrewed event. The customer is buzzed once per order.',
  })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiBody({ schema: schemaRef(CoffeeBrewed) })
  @ApiResponse({ status: 201, description: 'Buzzed now.', schema: BUZZ_SCHEMA })
  @ApiResponse({
    status: 200,
    description: 'Buzzed before (a retry): the earlier buzz.',
    schema: BUZZ_SCHEMA,
  })
  @ApiResponse({
    status: 400,
    description: 'Not a valid CoffeeBrewed, or an Idempotency-Key naming another order.',
    schema: MESSAGE_ERROR_SCHEMA,
  })
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
