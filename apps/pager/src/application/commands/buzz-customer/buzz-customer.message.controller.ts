import { CoffeeBrewed, EventTypes } from '@app/contracts';
import { AcknowledgeInterceptor, messageValidationPipe } from '@app/messaging';
import { Controller, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventPattern, Payload } from '@nestjs/microservices';
import { BuzzCustomerCommand } from './buzz-customer.command';

/** TRANSPORT=rmq: the pager's own queue receives every CoffeeBrewed. */
@Controller()
@UseInterceptors(AcknowledgeInterceptor)
export class BuzzCustomerMessageController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern(EventTypes.CoffeeBrewed)
  async onCoffeeBrewed(@Payload(messageValidationPipe()) brewed: CoffeeBrewed): Promise<void> {
    await this.commands.execute(new BuzzCustomerCommand(brewed));
  }
}
