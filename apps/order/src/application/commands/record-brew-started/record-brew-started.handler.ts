import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderUnitOfWork } from '../../order-unit-of-work';
import { RecordBrewStartedCommand } from './record-brew-started.command';

@CommandHandler(RecordBrewStartedCommand)
export class RecordBrewStartedHandler implements ICommandHandler<RecordBrewStartedCommand> {
  private readonly logger = new Logger('Counter');

  constructor(private readonly unitOfWork: OrderUnitOfWork) {}

  async execute({ event }: RecordBrewStartedCommand): Promise<void> {
    const { orderId, startedAt, machine } = event.data;
    await this.unitOfWork.run(
      async (orders) => {
        const order = await orders.load(orderId);
        if (!order.startBrewing(startedAt)) return;
        await orders.save(order);
        this.logger.log({ msg: 'Order brewing', orderId, machine });
      },
      { handledMessageId: event.messageId },
    );
  }
}
