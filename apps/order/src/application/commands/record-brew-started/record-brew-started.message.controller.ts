import { BrewStarted, EventTypes } from '@app/contracts';
import { AcknowledgeInterceptor, messageValidationPipe } from '@app/messaging';
import { Controller, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RecordBrewStartedCommand } from './record-brew-started.command';

@Controller()
@UseInterceptors(AcknowledgeInterceptor)
export class RecordBrewStartedMessageController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern(EventTypes.BrewStarted)
  async onBrewStarted(@Payload(messageValidationPipe()) event: BrewStarted): Promise<void> {
    await this.commands.execute(new RecordBrewStartedCommand(event));
  }
}
