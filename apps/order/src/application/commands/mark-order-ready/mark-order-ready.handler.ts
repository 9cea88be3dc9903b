import { Logger } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { OrderNotFoundError, OrderRepository } from '../../../domain/order.repository';
import { OrderStatusChangedEvent } from '../../events/order-status-changed.event';
import { MarkOrderReadyCommand } from './mark-order-ready.command';

@CommandHandler(MarkOrderReadyCommand)
export class MarkOrderReadyHandler implements ICommandHandler<MarkOrderReadyCommand> {
  private readonly logger = new Logger('Counter');

  constructor(
    private readonly orders: OrderRepository,
    private readonly bus: EventBus,
  ) {}

  async execute({ event }: MarkOrderReadyCommand): Promise<void> {
    const { orderId, startedAt, brewedAt } = event.data;
    if (await this.orders.hasHandled(event.messageId)) return;
    const order = await this.orders.findById(orderId);
    if (!order) throw new OrderNotFoundError(orderId);
    // Under http this is the first the counter hears of the brew: brewing is new here too.
    const brewingIsNews = order.startBrewing(startedAt);
    if (order.markReady(startedAt, brewedAt)) {
      await this.orders.save(order, { handledMessageId: event.messageId });
      if (brewingIsNews) this.bus.publish(OrderStatusChangedEvent.of(order, 'brewing', startedAt));
      this.bus.publish(OrderStatusChangedEvent.of(order, 'ready', brewedAt));
      this.logger.log({ msg: 'Order ready', orderId });
    }
  }
}
