import { envelope, EventTypes, type IntegrationEvent, type OrderPlaced } from '@app/contracts';
import { withCreateSpan } from '@app/telemetry';
import { Injectable } from '@nestjs/common';
import type { Order, OrderStatusChanged } from '../domain/order';
import {
  OrderNotFoundError,
  OrderRepository,
  type OrderTransaction,
} from './ports/order.repository';
import { OrderStatusFeed, type OrderStatusUpdate } from './ports/order-status-feed.port';

/** The orders of one unit of work: loaded and saved inside its transaction. */
export interface OrderSession {
  /** The stored order; OrderNotFoundError when there is none. */
  load(id: string): Promise<Order>;
  /**
   * Stores what the order recorded since it was loaded, with the integration events those
   * changes raise (the outbox); returns those events. An order that recorded nothing is not
   * written.
   */
  save(order: Order): Promise<IntegrationEvent[]>;
}

export interface UnitOfWorkOptions {
  /** The message being handled: a redelivery of it does nothing, and it is recorded once done. */
  readonly handledMessageId?: string;
  /** The request's trace context, continued by the events raised. */
  readonly traceparent?: string;
}

/**
 * How a command handler changes orders: load, call the domain, save, all in one transaction
 * that also records the handled message id and writes the outbox. Once it has committed, and
 * only then, the status changes go to the live feed: this is the one place they are published.
 */
@Injectable()
export class OrderUnitOfWork {
  constructor(
    private readonly orders: OrderRepository,
    private readonly feed: OrderStatusFeed,
  ) {}

  /** The work's result, or undefined when the message was handled already. */
  async run<T>(
    work: (orders: OrderSession) => Promise<T>,
    options: UnitOfWorkOptions = {},
  ): Promise<T | undefined> {
    const { handledMessageId } = options;
    let updates: OrderStatusUpdate[] = [];
    const result = await this.orders.transaction(async (tx) => {
      updates = [];
      if (handledMessageId && (await tx.hasHandled(handledMessageId))) return undefined;
      const value = await work(session(tx, updates, options.traceparent));
      if (handledMessageId && updates.length > 0) await tx.recordHandled(handledMessageId);
      return value;
    });
    if (updates.length > 0) this.feed.publish(updates);
    return result;
  }
}

function session(
  tx: OrderTransaction,
  updates: OrderStatusUpdate[],
  traceparent: string | undefined,
): OrderSession {
  return {
    async load(id) {
      const order = await tx.findById(id);
      if (!order) throw new OrderNotFoundError(id);
      return order;
    },
    async save(order) {
      const events = order.pullEvents();
      if (events.length === 0) return [];
      const outbox = events.flatMap((event) => integrationEvents(order, event, traceparent));
      await tx.save(order, outbox);
      updates.push(...events.map((event) => statusUpdate(order, event)));
      return outbox;
    },
  };
}

/** What the rest of the shop hears of a change: only a placed order is news to it. */
function integrationEvents(
  order: Order,
  { change }: OrderStatusChanged,
  traceparent: string | undefined,
): IntegrationEvent[] {
  if (change.status !== 'placed') return [];
  // With tracing on, the event carries a span of its own (`create order.placed`) under the
  // request's: its publish, from the outbox, continues the order's trace from there.
  return [
    withCreateSpan(
      envelope<OrderPlaced>(
        EventTypes.OrderPlaced,
        {
          orderId: order.id,
          customer: order.customer,
          items: order.items.map((item) => ({ ...item })),
          placedAt: change.at,
        },
        { correlationId: order.correlationId, traceparent },
        new Date(change.at),
      ),
    ),
  ];
}

function statusUpdate(order: Order, { change }: OrderStatusChanged): OrderStatusUpdate {
  const { id, customer, items } = order;
  return { id, customer, items, status: change.status, at: change.at, reason: change.reason };
}
