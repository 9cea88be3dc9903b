import type { OrderPlaced } from '@app/contracts';

/**
 * What became of a placed order once handed on: `queued` (the broker has it; the coffee comes
 * later) or `completed` (the sync chain brewed it and buzzed the customer before answering).
 */
export type HandOver = 'queued' | 'completed';

/** Hands a placed order to the rest of the shop. */
export abstract class OrderEvents {
  /**
   * Called once the order and `event` are stored (see `SaveOptions.events`). Rejects with a
   * {@link HopFailedError} naming the hop that failed.
   */
  abstract orderPlaced(event: OrderPlaced): Promise<HandOver>;
}

export const HOPS = ['barista', 'pager', 'broker'] as const;
export type Hop = (typeof HOPS)[number];
export type HopFailure = 'timeout' | 'unavailable' | 'rejected';

/** A downstream hop failed: which one, how, and in words. */
export class HopFailedError extends Error {
  public override readonly name = 'HopFailedError';

  constructor(
    public readonly hop: Hop,
    public readonly failure: HopFailure,
    message: string,
  ) {
    super(message);
  }
}
