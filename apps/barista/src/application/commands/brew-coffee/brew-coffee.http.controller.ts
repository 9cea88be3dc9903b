import { CoffeeBrewed, HttpHeaders, OrderPlaced } from '@app/contracts';
import { messageValidationPipe } from '@app/messaging';
import {
  checkIdempotencyKey,
  IDEMPOTENCY_KEY_HEADER,
  MESSAGE_ERROR_SCHEMA,
  schemaRef,
} from '@app/platform';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { BrewCoffeeCommand } from './brew-coffee.command';

/**
 * TRANSPORT=http: order posts OrderPlaced and waits, brew included, for CoffeeBrewed. Posting
 * the same order again (a retry) never brews twice: the order id is the idempotency key, sent as
 * `Idempotency-Key` (a key naming another order is refused with 400).
 */
@ApiTags('brews')
@Controller('brews')
export class BrewCoffeeHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'TRANSPORT=http: brew an order (order calls this and waits)',
    description:
      'The body is the OrderPlaced event; the answer, once brewed, the CoffeeBrewed event. ' +
      'Posting the same order again returns the same CoffeeBrewed without brewing twice.',
  })
  @ApiHeader(IDEMPOTENCY_KEY_HEADER)
  @ApiBody({ schema: schemaRef(OrderPlaced) })
  @ApiOkResponse({ description: 'Brewed (now, or before).', schema: schemaRef(CoffeeBrewed) })
  @ApiResponse({
    status: 400,
    description: 'Not a valid OrderPlaced, or an Idempotency-Key naming another order.',
    schema: MESSAGE_ERROR_SCHEMA,
  })
  brew(
    @Body(messageValidationPipe()) order: OrderPlaced,
    @Headers(HttpHeaders.IdempotencyKey) key: string | undefined,
  ): Promise<CoffeeBrewed> {
    checkIdempotencyKey(key, order.data.orderId);
    return this.commands.execute(new BrewCoffeeCommand(order));
  }
}
