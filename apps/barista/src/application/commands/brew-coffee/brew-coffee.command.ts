import type { CoffeeBrewed, OrderPlaced } from '@app/contracts';
import { Command } from '@nestjs/cqrs';

export class BrewCoffeeCommand extends Command<CoffeeBrewed> {
  constructor(public readonly order: OrderPlaced) {
    super();
  }
}
