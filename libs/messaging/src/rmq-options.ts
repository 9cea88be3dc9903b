import type { RmqOptions } from '@nestjs/microservices';
import { hostname } from 'node:os';
import { topology } from './topology';

export interface RmqSettings {
  readonly url: string;
  readonly namespace: string;
  /** How many unacknowledged messages one consumer may hold. */
  readonly prefetch: number;
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
 * prefetch and transient messages; each is set explicitly here.
 */
export function rmqServerOptions(settings: RmqSettings, context: string): RmqConnectionOptions {
  const names = topology(settings.namespace);
  return {
    urls: [settings.url],
    queue: names.queue(context),
    queueOptions: {
      durable: true,
      arguments: { 'x-dead-letter-exchange': names.deadLetterExchange },
    },
    exchange: names.exchange,
    exchangeType: 'topic',
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
    urls: [settings.url],
    exchange: topology(settings.namespace).exchange,
    exchangeType: 'topic',
    wildcards: true,
    persistent: true,
    socketOptions: socketOptions(connectionName(settings.namespace, context, 'publisher')),
  };
}
