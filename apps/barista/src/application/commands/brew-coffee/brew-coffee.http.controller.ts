import { type CoffeeBrewed, OrderPlaced } from '@app/contracts';
import { messageValidationPipe } from '@app/messaging';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { BrewCoffeeCommand } from './brew-coffee.command';

/**
 * TRANSPORT=http: order posts OrderPlaced and waits, brew included, for CoffeeBrewed. Posting
 * the same order again (a retry) never brews twice: the message's order id is the idempotency key.
 */
@Controller('brews')
export class BrewCoffeeHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(200)
  brew(@Body(messageValidationPipe()) order: OrderPlaced): Promise<CoffeeBrewed> {
    return this.commands.execute(new BrewCoffeeCommand(order));
  }
}
