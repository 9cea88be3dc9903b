import type { OrderPlaced } from '@app/contracts';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Order } from '../../../domain/order';
import { OrderUnitOfWork } from '../../order-unit-of-work';
import { HopFailedError } from '../../ports/hop-failed.error';
import { type HandOverOutcome, OrderHandOver } from '../../ports/order-hand-over.port';
import { OrderRepository } from '../../ports/order.repository';
import { toOrderView, type OrderView } from '../../views/order.view';
import { OrderNotHandedOverError, PlaceOrderCommand } from './place-order.command';

/**
 * Writes the order on the list with its OrderPlaced (one transaction: no order without its
 * event, however the process ends), then hands it to the rest of the shop.
 */
@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand> {
  private readonly logger = new Logger('Counter');

  constructor(
    private readonly unitOfWork: OrderUnitOfWork,
    private readonly orders: OrderRepository,
    private readonly handOver: OrderHandOver,
  ) {}

  async execute({ request, correlationId, traceparent }: PlaceOrderCommand): Promise<OrderView> {
    const placed = Order.place({ id: randomUUID(), ...request, correlationId, at: new Date() });
    const [event] = (await this.unitOfWork.run((orders) => orders.save(placed), {
      traceparent,
    })) as [OrderPlaced];
    this.logger.log({ msg: 'Order placed', orderId: placed.id, items: placed.items.length });
    let outcome: HandOverOutcome;
    try {
      outcome = await this.handOver.handOver(event);
    } catch (error) {
      if (!(error instanceof HopFailedError)) throw error;
      throw new OrderNotHandedOverError(await this.markFailed(placed.id, error), error);
    }
    // Queued, the order is as stored (202 whatever its consumers have done since, so a client's
    // answer does not depend on a race); the sync chain changed it meanwhile: read it again.
    if (outcome === 'queued') return toOrderView(placed);
    return toOrderView((await this.orders.findById(placed.id)) ?? placed);
  }

  private async markFailed(id: string, error: HopFailedError): Promise<OrderView> {
    const reason = `${error.hop}: ${error.message}`;
    const failed = await this.unitOfWork.run(async (orders) => {
      // Loaded again: the chain may have got as far as ready before a later hop failed.
      const order = await orders.load(id);
      order.markFailed(new Date(), reason);
      await orders.save(order);
      return order;
    });
    this.logger.warn({ msg: `Order failed at ${reason}`, orderId: id });
    return toOrderView(failed!);
  }
}
