import { EventTypes } from '@app/contracts';
import type { AmqpQueueType } from '@app/platform';
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
 * - `<ns>.unroutable` (fanout exchange and queue): the events exchange's alternate exchange, where
 *   an event that no queue is bound for ends instead of being confirmed and dropped.
 */
export interface Topology {
  readonly exchange: string;
  readonly deadLetterExchange: string;
  readonly deadLetterQueue: string;
  readonly unroutableExchange: string;
  readonly unroutableQueue: string;
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
    unroutableExchange: `${namespace}.unroutable`,
    unroutableQueue: `${namespace}.unroutable`,
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
      names.unroutableQueue,
    ],
    exchanges: [names.exchange, names.deadLetterExchange, names.unroutableExchange],
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

/** Quorum: replicated on every node of a cluster (Raft), with a delivery limit. Classic: one node. */
export type QueueType = AmqpQueueType;

/**
 * Which events each of the shop's contexts consumes: the one definition every app declares the
 * namespace from, publishers included, so that an event published before its consumer ever ran
 * waits in that consumer's queue instead of being dropped. A consumer's own handlers must be
 * listed here (a unit test checks the shop's apps against it).
 */
export const SHOP_SUBSCRIPTIONS: Readonly<Record<string, readonly string[]>> = {
  order: [EventTypes.BrewStarted, EventTypes.CoffeeBrewed],
  barista: [EventTypes.OrderPlaced],
  pager: [EventTypes.CoffeeBrewed],
};

/** What decides the namespace's queues and their arguments: the same in every app. */
export interface TopologySettings {
  readonly namespace: string;
  readonly queueType: QueueType;
  /** Quorum only: deliveries of one message (a crash returns it) before it is dead-lettered. */
  readonly deliveryLimit: number;
  /** Retry queues per context (RETRY_ATTEMPTS). */
  readonly retries: number;
  /** Contexts and the routing keys their queues are bound to; the shop's when unset. */
  readonly subscriptions?: Readonly<Record<string, readonly string[]>>;
}

/** Queue settings at AMQP_QUEUE_TYPE and AMQP_DELIVERY_LIMIT's defaults (tests, tools). */
export const DEFAULT_QUEUE_SETTINGS = { queueType: 'quorum', deliveryLimit: 5 } as const;

/**
 * The arguments of one of the namespace's queues. Every declarer must pass exactly these: the
 * broker refuses (PRECONDITION_FAILED) a queue redeclared with other ones.
 *
 * Quorum queues are durable and replicated. Where the broker itself moves a message (a context
 * queue's delivery limit, a retry queue's expiry) it dead-letters at-least-once, which RabbitMQ
 * allows only with `x-overflow: reject-publish`; no length limit is set, so nothing is refused.
 * Classic queues keep the arguments they always had, so an existing classic namespace still
 * starts; they have no delivery limit (a message that crashes its consumer comes back forever).
 */
export function queueArguments(
  settings: TopologySettings,
  kind: 'context' | 'retry' | 'dead-letters',
  target?: string,
): Record<string, unknown> {
  const names = topology(settings.namespace);
  const quorum = settings.queueType === 'quorum';
  const type = quorum ? { 'x-queue-type': 'quorum' } : {};
  const safeDeadLettering = quorum
    ? { 'x-dead-letter-strategy': 'at-least-once', 'x-overflow': 'reject-publish' }
    : {};
  switch (kind) {
    case 'context':
      return {
        ...type,
        'x-dead-letter-exchange': names.deadLetterExchange,
        ...safeDeadLettering,
        ...(quorum ? { 'x-delivery-limit': settings.deliveryLimit } : {}),
      };
    case 'retry':
      return {
        ...type,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': target,
        ...safeDeadLettering,
      };
    case 'dead-letters':
      return type;
  }
}

/** The events exchange's arguments: anything no queue is bound for goes to `<ns>.unroutable`. */
export function eventsExchangeArguments(namespace: string): Record<string, string> {
  return { 'alternate-exchange': topology(namespace).unroutableExchange };
}

/** Declares the events exchange as every app does (a test's spy, a tool). */
export async function declareEventsExchange(channel: Channel, namespace: string): Promise<void> {
  await channel.assertExchange(topology(namespace).exchange, 'topic', {
    durable: true,
    arguments: eventsExchangeArguments(namespace),
  });
}

/**
 * Declares the whole namespace: the events exchange with its alternate exchange and queue, the
 * dead letters, and every context's queue (bound to the events it consumes) with its retry
 * queues. Every app runs it, publisher and consumer alike, on each (re)connection, so whichever
 * starts first, every event it publishes has somewhere to go. Idempotent while the arguments
 * agree; a disagreement (another queue type, limit) rejects with PRECONDITION_FAILED.
 */
export async function declareTopology(channel: Channel, settings: TopologySettings): Promise<void> {
  const names = topology(settings.namespace);
  const queue = (name: string, args: Record<string, unknown>) =>
    channel.assertQueue(name, { durable: true, arguments: args });
  await channel.assertExchange(names.unroutableExchange, 'fanout', { durable: true });
  await queue(names.unroutableQueue, queueArguments(settings, 'dead-letters'));
  await channel.bindQueue(names.unroutableQueue, names.unroutableExchange, '');
  await declareEventsExchange(channel, settings.namespace);
  await channel.assertExchange(names.deadLetterExchange, 'topic', { durable: true });
  await queue(names.deadLetterQueue, queueArguments(settings, 'dead-letters'));
  await channel.bindQueue(names.deadLetterQueue, names.deadLetterExchange, '#');
  const subscriptions = settings.subscriptions ?? SHOP_SUBSCRIPTIONS;
  for (const [context, routingKeys] of Object.entries(subscriptions)) {
    const contextQueue = names.queue(context);
    await queue(contextQueue, queueArguments(settings, 'context'));
    for (const key of routingKeys) await channel.bindQueue(contextQueue, names.exchange, key);
    for (let level = 1; level <= settings.retries; level += 1) {
      // The delay is each message's own TTL (see retryLater), not an argument of the queue: a
      // changed RETRY_BASE_DELAY_MS then needs no re-declaration, which the broker would refuse.
      await queue(
        names.retryQueue(context, level),
        queueArguments(settings, 'retry', contextQueue),
      );
    }
  }
}

/** The broker refused a declaration because the entity exists with other arguments. */
export function isPreconditionFailed(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 406 || (typeof message === 'string' && message.includes('PRECONDITION_FAILED'));
}

/**
 * The one line an app logs before it exits on a PRECONDITION_FAILED: which queue or exchange,
 * and what to do about it.
 */
export function topologyConflictLine(namespace: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const entity = /(queue|exchange) '([^']+)'/.exec(message);
  const what = entity ? `${entity[1]} ${entity[2]}` : `a queue or exchange of ${namespace}`;
  const detail = /inequivalent arg '([^']+)'[^:]*: (received [^"\n]+)/.exec(message);
  return (
    `RabbitMQ refused to redeclare ${what}: it exists with other arguments` +
    `${detail ? ` (${detail[1]}: ${detail[2].trim()})` : ''}. ` +
    `Delete it (drain its messages first), or use a fresh AMQP_NAMESPACE, or set ` +
    `AMQP_QUEUE_TYPE/AMQP_DELIVERY_LIMIT as it was declared with.`
  );
}
