import type { LineItem } from '@app/contracts';

export const ORDER_STATUSES = ['placed', 'brewing', 'ready', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** A count per status, every one at zero. */
export function zeroCounts(): Record<OrderStatus, number> {
  return { placed: 0, brewing: 0, ready: 0, failed: 0 };
}

export interface StatusChange {
  readonly status: OrderStatus;
  readonly at: string;
  /** Why, for a failure (which hop, what happened). */
  readonly reason?: string;
}

export interface OrderView {
  readonly id: string;
  readonly customer: string;
  readonly items: readonly LineItem[];
  readonly status: OrderStatus;
  readonly history: readonly StatusChange[];
  readonly correlationId: string;
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

  static place(props: {
    id: string;
    customer: string;
    items: readonly LineItem[];
    correlationId: string;
    at: Date;
  }): Order {
    const items = props.items.map(({ drink, size, quantity }) => ({ drink, size, quantity }));
    return new Order(props.id, props.customer.trim(), items, props.correlationId, [
      { status: 'placed', at: props.at.toISOString() },
    ]);
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

  /**
   * Takes in changes recorded on another copy of this order (stored meanwhile by a concurrent
   * handler), so that saving this copy loses none of them. Each change is kept once.
   */
  absorb(changes: readonly StatusChange[]): void {
    for (const change of changes) {
      const known = this.changes.some(
        (existing) =>
          existing.status === change.status &&
          (change.status !== 'failed' ||
            (existing.at === change.at && existing.reason === change.reason)),
      );
      if (!known) this.record({ ...change });
    }
  }

  /** The history, oldest first (what a store keeps). */
  get history(): readonly StatusChange[] {
    return this.changes;
  }

  view(): OrderView {
    return {
      id: this.id,
      customer: this.customer,
      items: this.items.map((item) => ({ ...item })),
      status: this.status,
      history: [...this.changes],
      correlationId: this.correlationId,
    };
  }

  private has(status: OrderStatus): boolean {
    return this.changes.some((change) => change.status === status);
  }

  private record(change: StatusChange): boolean {
    if (change.status !== 'failed' && this.has(change.status)) return false;
    const after = this.changes.findIndex((existing) => existing.at > change.at);
    if (after === -1) this.changes.push(change);
    else this.changes.splice(after, 0, change);
    return true;
  }
}
