import type { CoffeeBrewed } from '@app/contracts';
import { Command } from '@nestjs/cqrs';

export class MarkOrderReadyCommand extends Command<void> {
  constructor(public readonly event: CoffeeBrewed) {
    super();
  }
}
