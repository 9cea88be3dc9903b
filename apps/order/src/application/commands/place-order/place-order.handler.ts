import { envelope, EventTypes, type OrderPlaced } from '@app/contracts';
import { Logger } from '@nestjs/common';
import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Order } from '../../../domain/order';
import { OrderRepository } from '../../../domain/order.repository';
import { OrderStatusChangedEvent } from '../../events/order-status-changed.event';
import { HopFailedError, OrderEvents } from '../../ports/order-events.port';
import {
  OrderNotHandedOverError,
  PlaceOrderCommand,
  type PlaceOrderResult,
} from './place-order.command';
import { withCreateSpan } from '@app/telemetry';

/**
 * Writes the order on the list, then tells the rest of the shop that a coffee was ordered: under
 * rmq the relay publishes the stored OrderPlaced, under http the chain is called and awaited.
 */
@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand> {
  private readonly logger = new Logger('Counter');

  constructor(
    private readonly orders: OrderRepository,
    private readonly events: OrderEvents,
    private readonly bus: EventBus,
  ) {}

  async execute({
    request,
    correlationId,
    traceparent,
  }: PlaceOrderCommand): Promise<PlaceOrderResult> {
    const placedAt = new Date();
    const order = Order.place({ id: randomUUID(), ...request, correlationId, at: placedAt });
    // With tracing on, the event carries a span of its own (`create order.placed`) under this
    // request's: its publish, from the outbox, continues the order's trace from there.
    const event = withCreateSpan(
      envelope<OrderPlaced>(
        EventTypes.OrderPlaced,
        {
          orderId: order.id,
          customer: order.customer,
          items: [...order.items],
          placedAt: order.placedAt,
        },
        { correlationId, traceparent },
        placedAt,
      ),
    );
    // Stored with the order in one transaction (the outbox, under rmq): no order without its
    // event, however the process ends.
    await this.orders.save(order, { events: [event] });
    this.bus.publish(OrderStatusChangedEvent.of(order, 'placed', order.placedAt));
    this.logger.log({ msg: 'Order placed', orderId: order.id, items: order.items.length });
    try {
      const handOver = await this.events.orderPlaced(event);
      // The sync chain may have changed the order meanwhile (brewing, ready): read it again.
      const current = (await this.orders.findById(order.id)) ?? order;
      return { order: current.view(), handOver };
    } catch (error) {
      if (!(error instanceof HopFailedError)) throw error;
      // Read it again: the chain may have got as far as ready before a later hop failed.
      const current = (await this.orders.findById(order.id)) ?? order;
      const failedAt = new Date();
      const reason = `${error.hop}: ${error.message}`;
      current.markFailed(failedAt, reason);
      await this.orders.save(current);
      this.bus.publish(
        OrderStatusChangedEvent.of(current, 'failed', failedAt.toISOString(), reason),
      );
      this.logger.warn({ msg: `Order failed at ${reason}`, orderId: order.id });
      throw new OrderNotHandedOverError(current.view(), error);
    }
  }
}
