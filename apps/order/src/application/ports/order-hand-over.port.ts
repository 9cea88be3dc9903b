import type { OrderPlaced } from '@app/contracts';

/**
 * Hands a placed order, once stored with its OrderPlaced, to the rest of the shop: under rmq the
 * outbox relay publishes the event (the coffee comes later); under http the brew-and-buzz
 * process calls barista and pager and waits. Rejects with a HopFailedError naming the hop.
 */
export abstract class OrderHandOver {
  abstract handOver(event: OrderPlaced): Promise<HandOverOutcome>;
}

/**
 * `queued`: the event is stored and travels on its own; the order is as it was stored (rmq).
 * `done`: the hand-over ran the chain and the order changed meanwhile (http: brewing, ready).
 */
export type HandOverOutcome = 'queued' | 'done';
