import type { CoffeeBrewed } from '@app/contracts';

/** Which coffees this barista has made: one entry per order. */
export abstract class BrewLog {
  abstract find(orderId: string): Promise<CoffeeBrewed | undefined>;
  /**
   * Records `brewed` together with the id of the OrderPlaced message it handled, in one step, and
   * returns the brew of record for the order: `brewed`, or the one recorded first if the order
   * was brewed already (by another barista sharing this log, after a redelivery).
   */
  abstract record(brewed: CoffeeBrewed, handledMessageId: string): Promise<CoffeeBrewed>;
  /** The newest `limit` brews, newest first, and how many there are in all. */
  abstract latest(limit: number): Promise<{ brews: CoffeeBrewed[]; total: number }>;
}
