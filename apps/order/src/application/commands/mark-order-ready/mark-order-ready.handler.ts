import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderNotFoundError, OrderRepository } from '../../../domain/order.repository';
import { MarkOrderReadyCommand } from './mark-order-ready.command';

@CommandHandler(MarkOrderReadyCommand)
export class MarkOrderReadyHandler implements ICommandHandler<MarkOrderReadyCommand> {
  private readonly logger = new Logger('Counter');

  constructor(private readonly orders: OrderRepository) {}

  async execute({ event }: MarkOrderReadyCommand): Promise<void> {
    const { orderId, startedAt, brewedAt } = event.data;
    if (await this.orders.hasHandled(event.messageId)) return;
    const order = await this.orders.findById(orderId);
    if (!order) throw new OrderNotFoundError(orderId);
    if (order.markReady(startedAt, brewedAt)) {
      await this.orders.save(order, { handledMessageId: event.messageId });
      this.logger.log({ msg: 'Order ready', orderId });
    }
  }
}
