import type { CoffeeBrewed } from '@app/contracts';

/** Pager asked directly (TRANSPORT=http): buzzes the customer of a brewed order. */
export abstract class PagerClient {
  /** Rejects with a HopFailedError naming pager when it is down, refuses or is too slow. */
  abstract buzz(brewed: CoffeeBrewed): Promise<void>;
}
