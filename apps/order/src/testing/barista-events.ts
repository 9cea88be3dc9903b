import { type BrewStarted, type CoffeeBrewed, envelope, EventTypes } from '@app/contracts';
import { randomUUID } from 'node:crypto';

/** When the test brews start and end (for the order specs). */
export const STARTED_AT = '2025-01-01T10:00:01.000Z';
export const BREWED_AT = '2025-01-01T10:00:03.000Z';

/** Barista's BrewStarted for `orderId`, as order receives it. */
export function brewStarted(orderId: string, startedAt = STARTED_AT): BrewStarted {
  return envelope<BrewStarted>(
    EventTypes.BrewStarted,
    { orderId, baristaId: 'barista-1', machine: 2, startedAt },
    { correlationId: 'corr-1', causationId: randomUUID() },
  );
}

/** Barista's CoffeeBrewed for `orderId`: brewed from STARTED_AT to BREWED_AT. */
export function coffeeBrewed(orderId: string): CoffeeBrewed {
  return envelope<CoffeeBrewed>(
    EventTypes.CoffeeBrewed,
    {
      orderId,
      baristaId: 'barista-1',
      machine: 1,
      startedAt: STARTED_AT,
      customer: 'Ada',
      brewedAt: BREWED_AT,
    },
    { correlationId: 'corr-1', causationId: randomUUID() },
  );
}
