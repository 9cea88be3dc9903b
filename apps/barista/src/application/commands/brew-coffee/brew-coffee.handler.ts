import {
  type BrewStarted,
  type CoffeeBrewed,
  envelope,
  EventTypes,
  type OrderPlaced,
} from '@app/contracts';
import { inSpan, withCreateSpan } from '@app/telemetry';
import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrewLog } from '../../../domain/brew-log';
import { EspressoMachines } from '../../../domain/espresso-machines';
import { BREW_SETTINGS, BrewEvents, type BrewSettings } from '../../ports/brew-events.port';
import { BrewCoffeeCommand } from './brew-coffee.command';

/**
 * Brews an order on the first free espresso machine. An order is brewed once: a repeat of an
 * order that is brewing waits for that brew, and a repeat of one already brewed (found in the
 * durable brew log, also after a restart) gets the same CoffeeBrewed (same message id) back,
 * sent again, without brewing again.
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
    const earlier = await this.log.find(order.data.orderId);
    if (!earlier) return this.brew(order);
    // Brewed before: a crash may have come between logging it and the broker's confirm of its
    // CoffeeBrewed, so send that again. Its consumers know its message id and do nothing twice.
    await this.events.coffeeBrewed(earlier);
    this.logger.log({ msg: 'Coffee brewed before: sent again', orderId: order.data.orderId });
    return earlier;
  }

  private async brew(order: OrderPlaced): Promise<CoffeeBrewed> {
    const trace = {
      correlationId: order.correlationId,
      causationId: order.messageId,
      traceparent: order.traceparent,
    };
    const machine = await inSpan(
      'wait for an espresso machine',
      { attributes: { 'shop.order.id': order.data.orderId } },
      () => this.machines.acquire(),
    );
    let brewed: CoffeeBrewed;
    try {
      const started = new Date();
      this.logger.log({ msg: 'Brew started', orderId: order.data.orderId, machine });
      const base = {
        orderId: order.data.orderId,
        baristaId: this.settings.baristaId,
        machine,
        startedAt: started.toISOString(),
      };
      // The news that brewing started travels while the coffee brews; both must be done
      // before the coffee counts as made.
      brewed = await inSpan(
        'brew coffee',
        { attributes: { 'shop.order.id': order.data.orderId, 'shop.machine': machine } },
        async () => {
          await Promise.all([
            this.events.brewStarted(
              withCreateSpan(envelope<BrewStarted>(EventTypes.BrewStarted, base, trace, started)),
            ),
            this.settings.brewMs > 0 ? sleep(this.settings.brewMs) : undefined,
          ]);
          const finished = new Date();
          return withCreateSpan(
            envelope<CoffeeBrewed>(
              EventTypes.CoffeeBrewed,
              { ...base, customer: order.data.customer, brewedAt: finished.toISOString() },
              trace,
              finished,
            ),
          );
        },
      );
    } finally {
      this.machines.release(machine);
    }
    // Logged before it is published: from here on a redelivery of the order finds the brew and
    // sends its CoffeeBrewed again (above) instead of brewing again. The log may hold an earlier
    // brew of this order (another barista sharing it brewed a redelivery): that one counts.
    const kept = await this.log.record(brewed, order.messageId);
    await this.events.coffeeBrewed(kept);
    this.logger.log({ msg: 'Coffee brewed', orderId: order.data.orderId, machine });
    return kept;
  }
}
