import type { PlaceOrderRequest } from '@app/contracts';
import { Command } from '@nestjs/cqrs';
import type { OrderView } from '../../../domain/order';
import type { HandOver, HopFailedError } from '../../ports/order-events.port';

export interface PlaceOrderResult {
  readonly order: OrderView;
  readonly handOver: HandOver;
}

export class PlaceOrderCommand extends Command<PlaceOrderResult> {
  constructor(
    public readonly request: PlaceOrderRequest,
    public readonly correlationId: string,
    /** The request's trace context: OrderPlaced continues it. */
    public readonly traceparent?: string,
  ) {
    super();
  }
}

/** The order was stored but could not be handed on: it is recorded as failed. */
export class OrderNotHandedOverError extends Error {
  public override readonly name = 'OrderNotHandedOverError';

  constructor(
    public readonly order: OrderView,
    public override readonly cause: HopFailedError,
  ) {
    super(cause.message);
  }
}
