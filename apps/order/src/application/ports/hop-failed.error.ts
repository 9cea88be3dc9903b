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
