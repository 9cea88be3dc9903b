import type { BrewStarted } from '@app/contracts';
import { Command } from '@nestjs/cqrs';

export class RecordBrewStartedCommand extends Command<void> {
  constructor(public readonly event: BrewStarted) {
    super();
  }
}
