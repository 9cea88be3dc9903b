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
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrewLog } from '../../../domain/brew-log';
import { EspressoMachines } from '../../../domain/espresso-machines';
import { BREW_SETTINGS, BrewEvents, type BrewSettings } from '../../ports/brew-events.port';
import { BrewCoffeeCommand } from './brew-coffee.command';

/**
 * Brews an order on the first free espresso machine. An order is brewed once: a repeat of an
 * order that is brewing waits for that brew, and a repeat of one already brewed (found in the
 * durable brew log, also after a restart) gets the same CoffeeBrewed (same message id) back,
 * sent again, without brewing again. Baristas sharing a log (PostgreSQL) brew an order only
 * under their claim on it, renewed while they brew: a redelivery reaching another barista waits
 * for the brew, or for the claim to lapse if its holder died.
 */
@CommandHandler(BrewCoffeeCommand)
export class BrewCoffeeHandler implements ICommandHandler<BrewCoffeeCommand> {
  private readonly logger = new Logger('Barista');
  private readonly brewing = new Map<string, Promise<CoffeeBrewed>>();
  /** Names this process's claims: unique even among baristas that share one BARISTA_ID. */
  private readonly holder: string;

  constructor(
    private readonly machines: EspressoMachines,
    private readonly log: BrewLog,
    private readonly events: BrewEvents,
    @Inject(BREW_SETTINGS) private readonly settings: BrewSettings,
  ) {
    this.holder = `${settings.baristaId}/${randomUUID()}`;
  }

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
    const { orderId } = order.data;
    let waiting = false;
    for (;;) {
      const earlier = await this.log.find(orderId);
      if (earlier) {
        // Brewed before: a crash may have come between logging it and the broker's confirm of
        // its CoffeeBrewed, so send that again. Its consumers know its message id and do
        // nothing twice.
        await this.events.coffeeBrewed(earlier);
        this.logger.log({ msg: 'Coffee brewed before: sent again', orderId });
        return earlier;
      }
      if (await this.log.claim(orderId, this.holder, this.settings.claimLeaseMs)) break;
      // Another barista sharing the log is brewing it (this is a redelivery): wait for its brew,
      // or for its lease to run out if it died.
      if (!waiting) this.logger.log({ msg: 'Another barista is brewing it: waiting', orderId });
      waiting = true;
      await sleep(this.pollMs);
    }
    return this.underClaim(orderId, () => this.brew(order));
  }

  /** Polls a claim held elsewhere this often: often enough to follow it, rarely enough to be cheap. */
  private get pollMs(): number {
    return Math.min(1000, Math.max(50, Math.round(this.settings.claimLeaseMs / 10)));
  }

  /** Runs `work` while renewing this barista's claim on the order, a third of a lease apart. */
  private async underClaim<T>(orderId: string, work: () => Promise<T>): Promise<T> {
    const lease = this.settings.claimLeaseMs;
    let done = false;
    const renewal = setInterval(
      () => {
        this.log.claim(orderId, this.holder, lease).then(
          (held) => {
            if (!held && !done) {
              this.logger.warn({ msg: 'Lost the claim on an order while brewing it', orderId });
            }
          },
          (error: Error) =>
            this.logger.warn({ msg: `Could not renew a claim: ${error.message}`, orderId }),
        );
      },
      Math.max(1, Math.floor(lease / 3)),
    );
    try {
      return await work();
    } finally {
      done = true;
      clearInterval(renewal);
    }
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
