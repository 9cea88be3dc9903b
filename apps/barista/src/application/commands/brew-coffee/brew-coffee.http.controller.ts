import { type CoffeeBrewed, HttpHeaders, OrderPlaced } from '@app/contracts';
import { messageValidationPipe } from '@app/messaging';
import { checkIdempotencyKey } from '@app/platform';
import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { BrewCoffeeCommand } from './brew-coffee.command';

/**
 * TRANSPORT=http: order posts OrderPlaced and waits, brew included, for CoffeeBrewed. Posting
 * the same order again (a retry) never brews twice: the order id is the idempotency key, sent as
 * `Idempotency-Key` (a key naming another order is refused with 400).
 */
@Controller('brews')
export class BrewCoffeeHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  brew(
    @Body(messageValidationPipe()) order: OrderPlaced,
    @Headers(HttpHeaders.IdempotencyKey) key: string | undefined,
  ): Promise<CoffeeBrewed> {
    checkIdempotencyKey(key, order.data.orderId);
    return this.commands.execute(new BrewCoffeeCommand(order));
  }
}
