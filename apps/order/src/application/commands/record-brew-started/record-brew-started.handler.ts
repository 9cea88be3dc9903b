import { Logger } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { OrderNotFoundError, OrderRepository } from '../../../domain/order.repository';
import { OrderStatusChangedEvent } from '../../events/order-status-changed.event';
import { RecordBrewStartedCommand } from './record-brew-started.command';

@CommandHandler(RecordBrewStartedCommand)
export class RecordBrewStartedHandler implements ICommandHandler<RecordBrewStartedCommand> {
  private readonly logger = new Logger('Counter');

  constructor(
    private readonly orders: OrderRepository,
    private readonly bus: EventBus,
  ) {}

  async execute({ event }: RecordBrewStartedCommand): Promise<void> {
    if (await this.orders.hasHandled(event.messageId)) return;
    const order = await this.orders.findById(event.data.orderId);
    if (!order) throw new OrderNotFoundError(event.data.orderId);
    const { startedAt } = event.data;
    if (order.startBrewing(startedAt)) {
      await this.orders.save(order, { handledMessageId: event.messageId });
      this.bus.publish(OrderStatusChangedEvent.of(order, 'brewing', startedAt));
      this.logger.log({ msg: 'Order brewing', orderId: order.id, machine: event.data.machine });
    }
  }
}
