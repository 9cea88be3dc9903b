import type { OrderPlaced } from '@app/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { MarkOrderReadyCommand } from '../commands/mark-order-ready/mark-order-ready.command';
import { BaristaClient } from '../ports/barista-client.port';
import { HopFailedError } from '../ports/hop-failed.error';
import { type HandOverOutcome, OrderHandOver } from '../ports/order-hand-over.port';
import { PagerClient } from '../ports/pager-client.port';

/**
 * TRANSPORT=http: the counter waits. It asks a barista to brew the order and waits for the
 * coffee, marks the order ready, then asks the pager to buzz the customer. A refused, failing or
 * slow hop ends the chain with the client's HopFailedError, which names it.
 */
@Injectable()
export class BrewAndBuzzProcess extends OrderHandOver {
  private readonly logger = new Logger('Counter');

  constructor(
    private readonly barista: BaristaClient,
    private readonly pager: PagerClient,
    private readonly commands: CommandBus,
  ) {
    super();
  }

  async handOver(event: OrderPlaced): Promise<HandOverOutcome> {
    const { orderId } = event.data;
    this.logger.log({ msg: 'Handing the order to barista', orderId });
    const brewed = await this.barista.brew(event);
    if (brewed?.data?.orderId !== orderId) {
      throw new HopFailedError('barista', 'rejected', 'barista answered with another order');
    }
    await this.commands.execute(new MarkOrderReadyCommand(brewed));
    this.logger.log({ msg: 'Asking pager to buzz', orderId });
    await this.pager.buzz(brewed);
    return 'done';
  }
}
