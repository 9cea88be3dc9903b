import {
  type BrewStarted,
  type CoffeeBrewed,
  envelope,
  EventTypes,
  type OrderPlaced,
} from '@app/contracts';
import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrewLog } from '../../../domain/brew-log';
import { EspressoMachines } from '../../../domain/espresso-machines';
import { BREW_SETTINGS, BrewEvents, type BrewSettings } from '../../ports/brew-events.port';
import { BrewCoffeeCommand } from './brew-coffee.command';

/**
 * Brews an order on the first free espresso machine. An order is brewed once: a repeat of an
 * order that is brewing waits for that brew, and a repeat of one already brewed gets the same
 * CoffeeBrewed (same message id) back without brewing again.
 */
@CommandHandler(BrewCoffeeCommand)
export class BrewCoffeeHandler implements ICommandHandler<BrewCoffeeCommand> {
  private readonly logger = new Logger('Barista');
  private readonly brewing = new Map<string, Promise<CoffeeBrewed>>();

  constructor(
    private readonly machines: EspressoMachines,
    private readonly log: BrewLog,
    private readonly events: BrewEvents,
    @Inject(BREW_SETTINGS) private readonly settings: BrewSettings,
  ) {}

  execute({ order }: BrewCoffeeCommand): Promise<CoffeeBrewed> {
    const { orderId } = order.data;
    // Registered before any await, so that two deliveries arriving together share one brew.
    let brew = this.brewing.get(orderId);
    if (!brew) {
      brew = this.brewOnce(order).finally(() => this.brewing.delete(orderId));
      this.brewing.set(orderId, brew);
    }
    return brew;
  }

  private async brewOnce(order: OrderPlaced): Promise<CoffeeBrewed> {
    return (await this.log.find(order.data.orderId)) ?? this.brew(order);
  }

  private async brew(order: OrderPlaced): Promise<CoffeeBrewed> {
    const trace = { correlationId: order.correlationId, causationId: order.messageId };
    const machine = await this.machines.acquire();
    let brewed: CoffeeBrewed;
    try {
      const started = new Date();
      const base = {
        orderId: order.data.orderId,
        baristaId: this.settings.baristaId,
        machine,
        startedAt: started.toISOString(),
      };
      // The news that brewing started travels while the coffee brews; both must be done
      // before the coffee counts as made.
      await Promise.all([
        this.events.brewStarted(
          envelope<BrewStarted>(EventTypes.BrewStarted, base, trace, started),
        ),
        this.settings.brewMs > 0 ? sleep(this.settings.brewMs) : undefined,
      ]);
      const finished = new Date();
      brewed = envelope<CoffeeBrewed>(
        EventTypes.CoffeeBrewed,
        { ...base, customer: order.data.customer, brewedAt: finished.toISOString() },
        trace,
        finished,
      );
    } finally {
      this.machines.release(machine);
    }
    // Published before it is logged as done: if publishing fails, a redelivery brews again
    // rather than finding a brew whose event never left.
    await this.events.coffeeBrewed(brewed);
    await this.log.record(brewed);
    this.logger.debug(
      `Brewed order ${order.data.orderId} on machine ${machine} [${order.correlationId}]`,
    );
    return brewed;
  }
}
