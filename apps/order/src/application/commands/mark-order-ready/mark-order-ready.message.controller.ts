import { CoffeeBrewed, EventTypes } from '@app/contracts';
import { AcknowledgeInterceptor, messageValidationPipe } from '@app/messaging';
import { Controller, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventPattern, Payload } from '@nestjs/microservices';
import { MarkOrderReadyCommand } from './mark-order-ready.command';

@Controller()
@UseInterceptors(AcknowledgeInterceptor)
export class MarkOrderReadyMessageController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern(EventTypes.CoffeeBrewed)
  async onCoffeeBrewed(@Payload(messageValidationPipe()) event: CoffeeBrewed): Promise<void> {
    await this.commands.execute(new MarkOrderReadyCommand(event));
  }
}
