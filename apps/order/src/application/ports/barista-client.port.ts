import type { CoffeeBrewed, OrderPlaced } from '@app/contracts';

/** Barista asked directly (TRANSPORT=http): brews the order and answers when it is done. */
export abstract class BaristaClient {
  /** Rejects with a HopFailedError naming barista when it is down, refuses or is too slow. */
  abstract brew(order: OrderPlaced): Promise<CoffeeBrewed>;
}
