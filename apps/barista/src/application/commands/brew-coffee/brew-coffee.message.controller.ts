import { EventTypes, OrderPlaced } from '@app/contracts';
import { AcknowledgeInterceptor, messageValidationPipe } from '@app/messaging';
import { Controller, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventPattern, Payload } from '@nestjs/microservices';
import { BrewCoffeeCommand } from './brew-coffee.command';

/**
 * TRANSPORT=rmq: baristas compete for OrderPlaced on one queue; a message is acked once its
 * coffee is brewed and CoffeeBrewed is confirmed by the broker.
 */
@Controller()
@UseInterceptors(AcknowledgeInterceptor)
export class BrewCoffeeMessageController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern(EventTypes.OrderPlaced)
  async onOrderPlaced(@Payload(messageValidationPipe()) order: OrderPlaced): Promise<void> {
    await this.commands.execute(new BrewCoffeeCommand(order));
  }
}
