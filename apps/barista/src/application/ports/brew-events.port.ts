import type { BrewStarted, CoffeeBrewed } from '@app/contracts';

/**
 * Where the barista's integration events go. Under rmq they are published to the broker (and a
 * brew counts as done only once CoffeeBrewed is confirmed); under http the caller learns the
 * outcome from the response, so there is nothing to send.
 */
export abstract class BrewEvents {
  abstract brewStarted(event: BrewStarted): Promise<void>;
  abstract coffeeBrewed(event: CoffeeBrewed): Promise<void>;
}

/** The barista's identity and pace, from its config. */
export const BREW_SETTINGS = Symbol('BREW_SETTINGS');

export interface BrewSettings {
  readonly baristaId: string;
  readonly brewMs: number;
  /**
   * How long a claim on an order lasts unless renewed (a third of it before it ends, while the
   * order waits for a machine and brews): the longest another barista waits to brew an order
   * whose barista died mid-brew.
   */
  readonly claimLeaseMs: number;
}
