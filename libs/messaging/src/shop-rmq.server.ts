import { failed, openSpan, processSpanOptions, type Span } from '@app/telemetry';
import { HttpHeaders } from '@app/contracts';
import {
  jsonNestingExceeds,
  messageLogContext,
  type Metrics,
  tooDeepMessage,
  withLogContext,
} from '@app/platform';
import {
  type MessageHandler,
  type RmqContext,
  ServerRMQ,
  type RmqOptions,
} from '@nestjs/microservices';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { declarePatiently } from './declare-patiently';
import { deadLetter } from './dead-letter';
import type { InFlightMessages } from './in-flight';
import { decodePacket, envelopeIn } from './packet';
import { attemptsOf, NO_RETRIES, originOf, type RetryPolicy } from './retry-policy';
import {
  declareTopology,
  isPreconditionFailed,
  SHOP_SUBSCRIPTIONS,
  type TopologySettings,
} from './topology';
import { exitOnTopologyConflict, type TopologyConflictHandler } from './topology-conflict';

type ServerOptions = NonNullable<RmqOptions['options']>;

export interface ShopRmqServerOptions extends ServerOptions {
  readonly namespace: string;
  /** The consuming context: names its retry queues. */
  readonly context?: string;
  readonly retry?: RetryPolicy;
  /** How deep a message's JSON may nest; a deeper one is dead-lettered unread (default 32). */
  readonly maxDepth?: number;
  /** Told of every delivery taken, so that a shutdown can wait for them to be settled. */
  readonly inFlight?: InFlightMessages;
  /** Counts the deliveries taken and those the gate dead-letters. */
  readonly metrics?: Metrics;
  /** The namespace's queue type and delivery limit (quorum, 5 if unset). */
  readonly topology?: Pick<TopologySettings, 'queueType' | 'deliveryLimit'>;
  /** When the broker refuses the topology; logs one line and exits by default. */
  readonly onTopologyConflict?: TopologyConflictHandler;
}

/** The dead-letter reasons the gate counts: malformed or unhandled, or a payload never valid. */
type RefusalReason = 'rejected' | 'invalid';

/** BODY_MAX_DEPTH's default, for a server built without a config (tests, tools). */
const DEFAULT_MAX_DEPTH = 32;

/** After a channel error, wait this long before reconnecting, so a persistent error cannot spin. */
const RECOVER_AFTER_MS = 1000;

/**
 * Nest's RabbitMQ server with the shop's topology and a gate in front of the handlers: a message
 * that is not JSON, is not a Nest event packet, names another event than its routing key, or has
 * no handler here is dead-lettered with the reason instead of being nacked without one (Nest's
 * default) or dispatched by a pattern that contradicts how it was routed.
 *
 * Reconnection is amqp-connection-manager's: when the connection drops it connects again and
 * re-runs {@link setupChannel} on a new channel, which declares the topology and consumes again.
 * On top of that, this server
 * - starts Nest's `listen` callback once only (Nest calls it again on every reconnect,
 *   nestjs/nest#17673);
 * - reconnects when the broker closes its channel but not the connection (a channel error such as
 *   an unknown exchange): amqp-connection-manager would wait for a connection drop that never
 *   comes, leaving the app connected but consuming nothing;
 * - can stop consuming (basic.cancel) for a graceful shutdown, and then stays stopped across
 *   reconnects.
 */
export class ShopRmqServer extends ServerRMQ {
  private readonly namespace: string;
  private readonly context: string | undefined;
  private readonly retry: RetryPolicy;
  private readonly maxDepth: number;
  private readonly inFlight: InFlightMessages | undefined;
  private readonly consumerTag: string;
  private readonly counters: { consumed(): void; refused(reason: RefusalReason): void } | undefined;
  private readonly topologySettings: TopologySettings;
  private readonly onTopologyConflict: TopologyConflictHandler;
  private consumerChannel: Channel | undefined;
  /** The process span of each delivery handed to a handler, ended once it is settled. */
  private readonly processSpans = new WeakMap<ConsumeMessage, Span>();
  private started = false;
  private stopping = false;

  constructor(options: ShopRmqServerOptions) {
    const { namespace, context, retry, maxDepth, inFlight, metrics, ...rest } = options;
    const { topology: queues, onTopologyConflict, ...rmq } = rest;
    const consumerTag =
      rmq.consumerTag ?? `${rmq.queue ?? namespace}/${hostname()}:${process.pid}/${randomUUID()}`;
    super({ ...rmq, consumerTag });
    this.namespace = namespace;
    this.context = context;
    this.retry = retry ?? NO_RETRIES;
    this.maxDepth = maxDepth ?? DEFAULT_MAX_DEPTH;
    this.inFlight = inFlight;
    this.consumerTag = consumerTag;
    this.onTopologyConflict = onTopologyConflict ?? exitOnTopologyConflict;
    const subscriptions =
      context === undefined || context in SHOP_SUBSCRIPTIONS
        ? SHOP_SUBSCRIPTIONS
        : { ...SHOP_SUBSCRIPTIONS, [context]: [] };
    // Nest calls this when a handler's observable has finished, AcknowledgeInterceptor's ack,
    // retry or dead-lettering included: the delivery's process span ends there, not when Nest
    // merely started the handler.
    this.setOnProcessingEndHook((_transport, context) => {
      const message = (context as RmqContext).getMessage() as ConsumeMessage;
      this.processSpans.get(message)?.end();
      this.processSpans.delete(message);
    });
    this.topologySettings = {
      namespace,
      queueType: queues?.queueType ?? 'quorum',
      deliveryLimit: queues?.deliveryLimit ?? 5,
      retries: context === undefined ? 0 : this.retry.retries,
      subscriptions,
    };
    if (metrics) {
      const queue = this.queue;
      const consumed = metrics.messagesConsumed.labels(queue);
      const refused = {
        rejected: metrics.messagesDeadLettered.labels(queue, 'rejected'),
        invalid: metrics.messagesDeadLettered.labels(queue, 'invalid'),
      };
      this.counters = {
        consumed: () => consumed.inc(),
        refused: (reason) => refused[reason].inc(),
      };
    }
  }

  /** Connected, with the consumer attached, and not stopping. */
  get isConsuming(): boolean {
    return !this.stopping && this.consumerChannel !== undefined;
  }

  override async setupChannel(channel: ConfirmChannel, callback: () => void): Promise<void> {
    // Re-run by a reconnect while shutting down: take no new deliveries.
    if (this.stopping) return;
    // Nest loads amqp-connection-manager lazily and types its connection loosely.
    const manager = this.server as AmqpConnectionManager | null;
    const connection = manager?.connection;
    channel.once('close', () => {
      if (this.consumerChannel === channel) this.consumerChannel = undefined;
      this.inFlight?.channelClosed(channel);
    });
    channel.on('error', (error: Error) => this.recover(error, connection));
    try {
      // The whole namespace, not only this context's queue: see declareTopology. On channels of
      // its own and again until accepted: after a failover it can fail for a while.
      if (connection) {
        await declarePatiently(connection, this.topologySettings, {
          stillCurrent: () => !this.stopping && manager?.connection === connection,
          onRetry: (error) => {
            this.logger.warn(
              `Declaring ${this.namespace} on the broker failed (${messageOf(error)}); trying again`,
            );
          },
        });
      } else {
        await declareTopology(channel, this.topologySettings);
      }
      await super.setupChannel(channel, () => {
        if (this.started) return;
        this.started = true;
        callback();
      });
    } catch (error) {
      if (isPreconditionFailed(error)) {
        this.stopping = true;
        this.onTopologyConflict(this.namespace, error);
        return;
      }
      // Never thrown to amqp-connection-manager: with nobody listening for its channel's `error`
      // event, that would end the process. A new connection sets everything up again.
      this.recover(error instanceof Error ? error : new Error(String(error)), connection);
      return;
    }
    this.consumerChannel = channel;
  }

  /**
   * Stops taking deliveries: cancels the consumer (deliveries already taken are still handled
   * and acked on their channel) and stays stopped across reconnects.
   */
  async stopConsuming(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const channel = this.consumerChannel;
    if (!channel) return;
    try {
      await channel.cancel(this.consumerTag);
    } catch {
      // The channel closed meanwhile: it delivers nothing more either.
    }
  }

  /**
   * Handles one delivery inside a log context made of its headers (`x-correlation-id`,
   * `traceparent`): every line logged while handling it, by the handler too, carries its
   * correlation id, trace id and span id, as a request's lines do.
   */
  override handleMessage(delivery: Record<string, unknown> | null, channel: ConfirmChannel) {
    // null: the broker cancelled the consumer; it is set up again on reconnect.
    if (delivery === null) return Promise.resolve();
    const message = delivery as unknown as ConsumeMessage;
    const context = () => {
      const { correlationId, headers } = message.properties as {
        correlationId?: string;
        headers?: Record<string, unknown>;
      };
      return messageLogContext(
        correlationId ?? stringOrUndefined(headers?.[HttpHeaders.CorrelationId]),
        headers?.[HttpHeaders.Traceparent],
      );
    };
    // A message back from a retry queue came by its queue's name: the span names its event.
    const event = originOf(message).routingKey;
    const processing = openSpan(
      `process ${event}`,
      processSpanOptions(message, this.queue, event, attemptsOf(message)),
    );
    const { span } = processing;
    return withLogContext(context, () =>
      processing.within(async () => {
        try {
          // Handed to a handler: the processing-end hook ends the span once it is settled.
          if (await this.handleInContext(message, channel, span)) return;
        } catch (error) {
          this.processSpans.delete(message);
          failed(span, error);
          span.end();
          throw error;
        }
        span.end();
      }),
    );
  }

  /** True when the message went to a handler (which settles it), false when the gate did. */
  private async handleInContext(
    message: ConsumeMessage,
    channel: ConfirmChannel,
    span: Span,
  ): Promise<boolean> {
    this.inFlight?.add(message, channel);
    this.counters?.consumed();
    const { problem, orderId, reason = 'rejected' } = this.inspect(message);
    if (problem !== undefined) {
      this.counters?.refused(reason);
      this.logger.warn({
        msg: `Dead-lettering message ${message.properties.messageId ?? '(no id)'} from ${this.queue}: ${problem}`,
        ...(orderId ? { orderId } : {}),
      });
      try {
        await deadLetter(channel, message, problem, {
          namespace: this.namespace,
          queue: this.queue,
        });
      } finally {
        this.inFlight?.settled(message);
      }
      return false;
    }
    // From here AcknowledgeInterceptor settles the message once its handler is done.
    this.processSpans.set(message, span);
    try {
      await super.handleMessage(message, channel);
      return true;
    } catch (error) {
      this.inFlight?.settled(message);
      throw error;
    }
  }

  /**
   * A plain map lookup first. Nest's own runs `JSON.parse` on the pattern inside a `try`, a thrown
   * exception for every plain pattern (twice per message: in the gate and in `handleEvent`); it
   * remains the fallback for JSON (object) patterns and wildcards.
   */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return this.messageHandlers.get(pattern) ?? super.getHandlerByPattern(pattern);
  }

  /**
   * Why `message` cannot be dispatched (no problem if it can), and its order if it names one.
   * Every problem found here is permanent: no retry could mend the message.
   */
  private inspect(message: ConsumeMessage): {
    problem?: string;
    orderId?: string;
    reason?: RefusalReason;
  } {
    // Before anything parses it: validation would walk it recursively and overflow the stack.
    if (jsonNestingExceeds(message.content, this.maxDepth)) {
      return { problem: `invalid: ${tooDeepMessage(this.maxDepth)}`, reason: 'invalid' };
    }
    const decoded = decodePacket(message.content);
    if ('problem' in decoded) return { problem: decoded.problem };
    const { pattern, data } = decoded.packet;
    const orderId = orderIdOf(data);
    const { routingKey } = originOf(message);
    if (pattern !== routingKey) {
      return {
        problem: `malformed: pattern "${pattern}" does not match routing key "${routingKey}"`,
        orderId,
      };
    }
    if (!this.getHandlerByPattern(pattern)) {
      return { problem: `no handler for "${pattern}" on ${this.queue}`, orderId };
    }
    return { orderId };
  }

  /**
   * The broker closed the consumer's channel with an error, or setting it up failed: start over
   * on a new connection, unless `failedOn` has already been replaced (a connection that dropped
   * is reconnected by amqp-connection-manager itself: reconnecting again would cut the new one).
   */
  private recover(error: Error, failedOn: unknown): void {
    // A refused declaration is reported once, by setupChannel.
    if (this.stopping || isPreconditionFailed(error)) return;
    this.logger.error(`The channel on ${this.queue} failed (${error.message}); reconnecting`);
    setTimeout(() => {
      // Nest loads amqp-connection-manager lazily and types its connection loosely.
      const manager = this.server as AmqpConnectionManager | null;
      if (this.stopping || !manager || manager.connection !== failedOn) return;
      try {
        manager.reconnect();
      } catch {
        // Closed meanwhile.
      }
    }, RECOVER_AFTER_MS).unref();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The order an envelope names (its `data.orderId`), if any. */
export function orderIdOf(envelope: unknown): string | undefined {
  const inner = (envelope as { data?: { orderId?: unknown } } | null)?.data;
  return typeof inner?.orderId === 'string' ? inner.orderId : undefined;
}

/** The order a delivered Nest packet's envelope names, if its body can be read. */
export function orderIdIn(message: ConsumeMessage): string | undefined {
  return orderIdOf(envelopeIn(message.content));
}
