import type { RmqOptions } from '@nestjs/microservices';
import { hostname } from 'node:os';
import {
  DEFAULT_QUEUE_SETTINGS,
  eventsExchangeArguments,
  type QueueType,
  queueArguments,
  topology,
  type TopologySettings,
} from './topology';

export interface RmqSettings {
  /** One node's URL, or several separated by commas (a cluster: any that is up will do). */
  readonly url: string;
  readonly namespace: string;
  /** How many unacknowledged messages one consumer may hold. */
  readonly prefetch: number;
  /** AMQP_QUEUE_TYPE; quorum if unset. */
  readonly queueType?: QueueType;
  /** AMQP_DELIVERY_LIMIT; 5 if unset. */
  readonly deliveryLimit?: number;
  /** RETRY_ATTEMPTS: retry queues per context; none if unset. */
  readonly retries?: number;
}

/** The nodes of AMQP_URL, in order: amqp-connection-manager tries the next when one fails. */
export function amqpUrls(url: string): string[] {
  return url
    .split(',')
    .map((one) => one.trim())
    .filter((one) => one.length > 0);
}

/** The namespace's topology as these settings declare it (see {@link declareTopology}). */
export function topologySettings(
  settings: Omit<RmqSettings, 'prefetch' | 'url'>,
): TopologySettings {
  return {
    namespace: settings.namespace,
    queueType: settings.queueType ?? DEFAULT_QUEUE_SETTINGS.queueType,
    deliveryLimit: settings.deliveryLimit ?? DEFAULT_QUEUE_SETTINGS.deliveryLimit,
    retries: settings.retries ?? 0,
  };
}

type RmqConnectionOptions = NonNullable<RmqOptions['options']>;

export type ConnectionRole = 'consumer' | 'publisher';

/**
 * The `connection_name` an app's connection shows in RabbitMQ (management UI,
 * `rabbitmqctl list_connections client_properties`): `<namespace>/<context>/<role>` and the
 * host and pid, so an operator (or a test) can tell whose it is and close only those.
 */
export function connectionName(namespace: string, context: string, role: ConnectionRole): string {
  return `${namespace}/${context}/${role} ${hostname()}:${process.pid}`;
}

/**
 * Connection settings for every channel. amqplib leaves Nagle's algorithm on; with manual acks
 * that stalls on the peer's delayed ACKs (a several-fold loss of throughput), so it is turned
 * off. amqp-connection-manager reconnects 1 s after a drop and notices a dead peer after two
 * missed 5 s heartbeats.
 */
function socketOptions(name: string) {
  return {
    connectionOptions: { noDelay: true, clientProperties: { connection_name: name } },
    heartbeatIntervalInSeconds: 5,
    reconnectTimeInSeconds: 1,
  };
}

/**
 * The consuming side of one context. Nest's defaults are at-most-once (noAck), unlimited
 * prefetch and transient messages; each is set explicitly here. The prefetch is per consumer:
 * quorum queues refuse a global one.
 */
export function rmqServerOptions(settings: RmqSettings, context: string): RmqConnectionOptions {
  const names = topology(settings.namespace);
  return {
    urls: amqpUrls(settings.url),
    queue: names.queue(context),
    queueOptions: {
      durable: true,
      arguments: queueArguments(topologySettings(settings), 'context'),
    },
    exchange: names.exchange,
    exchangeType: 'topic',
    exchangeArguments: eventsExchangeArguments(settings.namespace),
    // With wildcards on, Nest binds the queue to the exchange once per handled event type.
    wildcards: true,
    noAck: false,
    prefetchCount: settings.prefetch,
    isGlobalPrefetchCount: false,
    persistent: true,
    socketOptions: socketOptions(connectionName(settings.namespace, context, 'consumer')),
  };
}

/** The publishing side: persistent messages to the topic exchange on a confirm channel. */
export function rmqClientOptions(
  settings: Omit<RmqSettings, 'prefetch'>,
  context = 'client',
): RmqConnectionOptions {
  return {
    urls: amqpUrls(settings.url),
    exchange: topology(settings.namespace).exchange,
    exchangeType: 'topic',
    exchangeArguments: eventsExchangeArguments(settings.namespace),
    wildcards: true,
    persistent: true,
    socketOptions: socketOptions(connectionName(settings.namespace, context, 'publisher')),
  };
}
