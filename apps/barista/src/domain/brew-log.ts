import type { CoffeeBrewed } from '@app/contracts';

/** Which coffees the baristas sharing this log have made: one entry per order. */
export abstract class BrewLog {
  abstract find(orderId: string): Promise<CoffeeBrewed | undefined>;
  /**
   * Claims the brewing of `orderId` for `holder` until `leaseMs` from now. True when `holder`
   * holds it now: nobody held it, the last holder's lease ran out (it crashed, or froze), or it
   * was `holder`'s already (a renewal). False while another holder's lease runs, and once the
   * order is brewed. Baristas sharing the log brew an order only under its claim, so two of them
   * never brew it at once, and a crashed one's order is brewed by another once its lease ends.
   */
  abstract claim(orderId: string, holder: string, leaseMs: number): Promise<boolean>;
  /**
   * Records `brewed` together with the id of the OrderPlaced message it handled, in one step, and
   * returns the brew of record for the order: `brewed`, or the one recorded first if the order
   * was brewed already (by another barista sharing this log, after a redelivery). The order's
   * claim ends with it: nobody claims a brewed order.
   */
  abstract record(brewed: CoffeeBrewed, handledMessageId: string): Promise<CoffeeBrewed>;
  /** The newest `limit` brews, newest first, and how many there are in all. */
  abstract latest(limit: number): Promise<{ brews: CoffeeBrewed[]; total: number }>;
}
