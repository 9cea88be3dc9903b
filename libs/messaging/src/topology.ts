import type { Channel } from 'amqplib';

/**
 * Names of the shop's exchanges and queues under one namespace (`AMQP_NAMESPACE`), so that test
 * runs and benchmark runs can each have their own and cannot disturb each other.
 *
 * - `<ns>.events`: durable topic exchange; routing key = event type (`order.placed`, ...).
 * - `<ns>.<context>`: one durable queue per consuming context, bound to the event types that
 *   context handles; dead-letters to `<ns>.dlx`.
 * - `<ns>.<context>.retry.<n>`: where a message waits before its n-th retry; when its time is up
 *   the broker dead-letters it back to `<ns>.<context>` (through the default exchange).
 * - `<ns>.dlx` → `<ns>.dead-letters`: where malformed and failed messages end, with the reason.
 */
export interface Topology {
  readonly exchange: string;
  readonly deadLetterExchange: string;
  readonly deadLetterQueue: string;
  queue(context: string): string;
  retryQueue(context: string, level: number): string;
}

/** The most retries a message may get: RETRY_ATTEMPTS' upper bound, so retry queue names are bounded. */
export const MAX_RETRY_ATTEMPTS = 10;

/** The shop's consuming contexts, each with a queue of its own (as the apps name them). */
export const SHOP_CONTEXTS = ['order', 'barista', 'pager'] as const;

export function topology(namespace: string): Topology {
  return {
    exchange: `${namespace}.events`,
    deadLetterExchange: `${namespace}.dlx`,
    deadLetterQueue: `${namespace}.dead-letters`,
    queue: (context) => `${namespace}.${context}`,
    retryQueue: (context, level) => `${namespace}.${context}.retry.${level}`,
  };
}

/** Headers a dead letter carries, besides the original message's own. */
export const DeadLetterHeaders = {
  Reason: 'x-dead-letter-reason',
  Queue: 'x-original-queue',
  Exchange: 'x-original-exchange',
  RoutingKey: 'x-original-routing-key',
  DeadLetteredAt: 'x-dead-lettered-at',
  /** The last failure's message (a handler's error, or why the message was refused). */
  Error: 'x-error',
  /** How many times a handler ran on the message and failed (retries carry it too). */
  Attempts: 'x-attempts',
} as const;

/**
 * Every exchange and queue the apps declare under `namespace` for these consuming contexts: their
 * queues with all {@link MAX_RETRY_ATTEMPTS} retry queues each (however many a run declared), the
 * dead letters and both exchanges.
 */
export function namespaceEntities(
  namespace: string,
  contexts: readonly string[] = SHOP_CONTEXTS,
): { queues: string[]; exchanges: string[] } {
  const names = topology(namespace);
  const levels = Array.from({ length: MAX_RETRY_ATTEMPTS }, (_, i) => i + 1);
  return {
    queues: [
      ...contexts.flatMap((context) => [
        names.queue(context),
        ...levels.map((level) => names.retryQueue(context, level)),
      ]),
      names.deadLetterQueue,
    ],
    exchanges: [names.exchange, names.deadLetterExchange],
  };
}

/**
 * Deletes the namespace's queues and exchanges (see {@link namespaceEntities}), so that runs
 * never disturb each other. Deleting one that was never declared is fine: RabbitMQ answers
 * delete-ok. A failure rejects, and the broker closes `channel`.
 */
export async function deleteNamespace(
  channel: Channel,
  namespace: string,
  contexts: readonly string[] = SHOP_CONTEXTS,
): Promise<void> {
  const { queues, exchanges } = namespaceEntities(namespace, contexts);
  for (const queue of queues) await channel.deleteQueue(queue);
  for (const exchange of exchanges) await channel.deleteExchange(exchange);
}
