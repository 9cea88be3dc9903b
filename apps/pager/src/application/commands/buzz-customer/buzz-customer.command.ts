import type { CoffeeBrewed } from '@app/contracts';
import { Command } from '@nestjs/cqrs';
import type { Buzz } from '../../../domain/buzz';

export interface BuzzCustomerResult {
  readonly buzz: Buzz;
  /** True when this order had been buzzed already and nothing happened. */
  readonly repeated: boolean;
}

export class BuzzCustomerCommand extends Command<BuzzCustomerResult> {
  constructor(public readonly brewed: CoffeeBrewed) {
    super();
  }
}
