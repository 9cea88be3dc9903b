import { inSpan } from '@app/telemetry';
import { Logger } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { BuzzRepository } from '../../../domain/buzz.repository';
import { CustomerBuzzedEvent } from '../../events/customer-buzzed.event';
import { BuzzCustomerCommand, type BuzzCustomerResult } from './buzz-customer.command';

/** Buzzes the customer whose coffee is ready, once per order however often we are told. */
@CommandHandler(BuzzCustomerCommand)
export class BuzzCustomerHandler implements ICommandHandler<BuzzCustomerCommand> {
  private readonly logger = new Logger('Pager');

  constructor(
    private readonly buzzes: BuzzRepository,
    private readonly events: EventBus,
  ) {}

  execute(command: BuzzCustomerCommand): Promise<BuzzCustomerResult> {
    const { orderId } = command.brewed.data;
    return inSpan('buzz customer', { attributes: { 'shop.order.id': orderId } }, () =>
      this.buzz(command),
    );
  }

  private async buzz({ brewed }: BuzzCustomerCommand): Promise<BuzzCustomerResult> {
    const buzz = {
      orderId: brewed.data.orderId,
      customer: brewed.data.customer,
      buzzedAt: new Date().toISOString(),
      correlationId: brewed.correlationId,
      messageId: brewed.messageId,
    };
    const earlier = await this.buzzes.recordOnce(buzz);
    if (earlier) {
      this.logger.debug({ msg: 'Buzzed already', orderId: buzz.orderId });
      return { buzz: earlier, repeated: true };
    }
    this.events.publish(new CustomerBuzzedEvent(buzz));
    this.logger.log({ msg: `Buzzed ${buzz.customer}`, orderId: buzz.orderId });
    return { buzz, repeated: false };
  }
}
