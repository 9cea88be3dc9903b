import type { CoffeeBrewed } from '@app/contracts';

/** Which coffees this barista has made: one entry per order. */
export abstract class BrewLog {
  abstract find(orderId: string): Promise<CoffeeBrewed | undefined>;
  abstract record(brewed: CoffeeBrewed): Promise<void>;
  /** The newest `limit` brews, newest first, and how many there are in all. */
  abstract latest(limit: number): Promise<{ brews: CoffeeBrewed[]; total: number }>;
}
