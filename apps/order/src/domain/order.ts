import type { LineItem } from '@app/contracts';

export const ORDER_STATUSES = ['placed', 'brewing', 'ready', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface StatusChange {
  readonly status: OrderStatus;
  readonly at: string;
  /** Why, for a failure (which hop, what happened). */
  readonly reason?: string;
}

/** A domain event: the order reached `change.status` (recorded once per change). */
export interface OrderStatusChanged {
  readonly orderId: string;
  readonly change: StatusChange;
}

/**
 * An order at the counter and its history: placed → brewing → ready (or failed when the sync
 * chain broke). Changes may arrive out of order or twice (events are redelivered, brewing and
 * ready travel separately), so each change is recorded once, at the time it happened, and the
 * status is the furthest one reached.
 */
export class Order {
  private constructor(
    public readonly id: string,
    public readonly customer: string,
    public readonly items: readonly LineItem[],
    public readonly correlationId: string,
    private readonly changes: StatusChange[],
  ) {}

  /** The changes recorded since this copy was placed or restored, not yet pulled. */
  private events: OrderStatusChanged[] = [];

  static place(props: {
    id: string;
    customer: string;
    items: readonly LineItem[];
    correlationId: string;
    at: Date;
  }): Order {
    const items = props.items.map(({ drink, size, quantity }) => ({ drink, size, quantity }));
    const order = new Order(props.id, props.customer.trim(), items, props.correlationId, []);
    order.record({ status: 'placed', at: props.at.toISOString() });
    return order;
  }

  /** An order as it was stored: its history is taken as recorded. */
  static restore(stored: {
    id: string;
    customer: string;
    items: readonly LineItem[];
    correlationId: string;
    history: readonly StatusChange[];
  }): Order {
    const items = stored.items.map(({ drink, size, quantity }) => ({ drink, size, quantity }));
    const history = stored.history.map((change) => ({ ...change }));
    return new Order(stored.id, stored.customer, items, stored.correlationId, history);
  }

  get placedAt(): string {
    return this.changes[0].at;
  }

  get status(): OrderStatus {
    if (this.has('ready')) return 'ready';
    if (this.has('failed')) return 'failed';
    if (this.has('brewing')) return 'brewing';
    return 'placed';
  }

  /** Records that brewing started; false if that was known already. */
  startBrewing(at: string): boolean {
    return this.record({ status: 'brewing', at });
  }

  /** Records that the coffee is ready (and when brewing began, if that news has not come). */
  markReady(brewingStartedAt: string, readyAt: string): boolean {
    this.startBrewing(brewingStartedAt);
    return this.record({ status: 'ready', at: readyAt });
  }

  markFailed(at: Date, reason: string): void {
    this.record({ status: 'failed', at: at.toISOString(), reason });
  }

  /** The history, oldest first (what a store keeps). */
  get history(): readonly StatusChange[] {
    return this.changes;
  }

  /** The domain events recorded since the last pull, oldest first; they are handed over once. */
  pullEvents(): OrderStatusChanged[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  private has(status: OrderStatus): boolean {
    return this.changes.some((change) => change.status === status);
  }

  private record(change: StatusChange): boolean {
    if (change.status !== 'failed' && this.has(change.status)) return false;
    const after = this.changes.findIndex((existing) => existing.at > change.at);
    if (after === -1) this.changes.push(change);
    else this.changes.splice(after, 0, change);
    this.events.push({ orderId: this.id, change });
    return true;
  }
}
