import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderUnitOfWork } from '../../order-unit-of-work';
import { MarkOrderReadyCommand } from './mark-order-ready.command';

@CommandHandler(MarkOrderReadyCommand)
export class MarkOrderReadyHandler implements ICommandHandler<MarkOrderReadyCommand> {
  private readonly logger = new Logger('Counter');

  constructor(private readonly unitOfWork: OrderUnitOfWork) {}

  async execute({ event }: MarkOrderReadyCommand): Promise<void> {
    const { orderId, startedAt, brewedAt } = event.data;
    await this.unitOfWork.run(
      async (orders) => {
        const order = await orders.load(orderId);
        // Under http this is the first the counter hears of the brew: brewing is recorded too.
        if (!order.markReady(startedAt, brewedAt)) return;
        await orders.save(order);
        this.logger.log({ msg: 'Order ready', orderId });
      },
      { handledMessageId: event.messageId },
    );
  }
}
