/**
 * Names of the shop's exchanges and queues under one namespace (`AMQP_NAMESPACE`), so that test
 * runs and benchmark runs can each have their own and cannot disturb each other.
 *
 * - `<ns>.events`: durable topic exchange; routing key = event type (`order.placed`, ...).
 * - `<ns>.<context>`: one durable queue per consuming context, bound to the event types that
 *   context handles; dead-letters to `<ns>.dlx`.
 * - `<ns>.dlx` → `<ns>.dead-letters`: where malformed and failed messages end, with the reason.
 */
export interface Topology {
  readonly exchange: string;
  readonly deadLetterExchange: string;
  readonly deadLetterQueue: string;
  queue(context: string): string;
}

export function topology(namespace: string): Topology {
  return {
    exchange: `${namespace}.events`,
    deadLetterExchange: `${namespace}.dlx`,
    deadLetterQueue: `${namespace}.dead-letters`,
    queue: (context) => `${namespace}.${context}`,
  };
}

/** Headers a dead letter carries, besides the original message's own. */
export const DeadLetterHeaders = {
  Reason: 'x-dead-letter-reason',
  Queue: 'x-original-queue',
  Exchange: 'x-original-exchange',
  RoutingKey: 'x-original-routing-key',
  DeadLetteredAt: 'x-dead-lettered-at',
} as const;
