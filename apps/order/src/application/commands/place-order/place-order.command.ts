import type { PlaceOrderRequest } from '@app/contracts';
import { Command } from '@nestjs/cqrs';
import type { HopFailedError } from '../../ports/hop-failed.error';
import type { OrderView } from '../../views/order.view';

/** Answers the order as it stands once handed over: `placed` (queued), or `ready` (brewed). */
export class PlaceOrderCommand extends Command<OrderView> {
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
