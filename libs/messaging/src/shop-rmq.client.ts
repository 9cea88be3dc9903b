import { ClientRMQ, type ReadPacket, type RmqOptions } from '@nestjs/microservices';
import type { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { declarePatiently } from './declare-patiently';
import { declareTopology, isPreconditionFailed, type TopologySettings } from './topology';
import { exitOnTopologyConflict, type TopologyConflictHandler } from './topology-conflict';

type ClientOptions = NonNullable<RmqOptions['options']>;

/** What the publisher declares before it publishes, and what it does if the broker refuses. */
export interface PublisherTopology {
  readonly settings: TopologySettings;
  readonly onConflict?: TopologyConflictHandler;
}

/**
 * Nest's RabbitMQ client, publishing events through amqp-connection-manager's promise API.
 * Nest passes a callback instead, which amqp-connection-manager (via promise-breaker) defers
 * with `setTimeout(0)`, a timer's delay added to every confirmed publish. The wire format, the confirm channel and everything else stay Nest's.
 *
 * While the connection is down, Nest fails every emit at once ("Connection lost. Trying to
 * reconnect..."). Here an emit waits instead: amqp-connection-manager holds the message and
 * publishes it once it has reconnected, or drops it and fails the emit after `publishTimeoutMs`,
 * so a message reported as failed is never published later.
 *
 * On every (re)connection it declares the namespace's whole topology (see declareTopology), so
 * an event published before its consumers ever ran waits in their queues. It publishes with
 * `mandatory`: should an event still route nowhere (the namespace deleted under it, alternate
 * exchange included), the broker returns it before confirming, and the publish fails instead
 * of succeeding, so the outbox keeps the event and retries it (after declaring the topology
 * again).
 */
export class ShopRmqClient extends ClientRMQ {
  private readonly exchange: string;
  /** A channel of its own for passive queue checks: a failed check closes only this one. */
  private inspector: ChannelWrapper | undefined;
  /** Message ids the broker returned (basic.return) and whose confirm is still to come. */
  private readonly returned = new Set<string>();

  constructor(
    options: ClientOptions,
    private readonly publishTimeoutMs?: number,
    private readonly declares?: PublisherTopology,
  ) {
    super(options);
    if (!options.exchange) throw new Error('ShopRmqClient publishes to an exchange: set one');
    this.exchange = options.exchange;
  }

  /**
   * Publishes one event and resolves once the broker confirmed it, or rejects after `timeoutMs`:
   * `emit()` without its Observable plumbing (defer, mergeMap and a connectable per message, a
   * visible share of barista's CPU in profiles). Same connection, channel, serializer and wire format;
   * amqp-connection-manager drops the message at the same deadline, so a publish reported as
   * failed is never sent later.
   */
  async publishEvent(pattern: string, data: unknown, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`not confirmed within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([
        this.connect().then(() => this.publishPacket({ pattern, data }, timeoutMs)),
        expired,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A passive `checkQueue` (the queue's ready messages and consumers), on the publisher's
   * connection but not its channel, so that an answer of "no such queue", which closes the
   * channel, cannot disturb publishing.
   */
  async checkQueue(queue: string): Promise<{ messageCount: number; consumerCount: number }> {
    await this.connect();
    // Nest loads amqp-connection-manager lazily and types its connection loosely.
    const connection = this.client as AmqpConnectionManager | null;
    if (!connection) throw new Error('The RabbitMQ connection is not open');
    this.inspector ??= connection.createChannel({ confirm: false });
    await this.inspector.waitForConnect();
    return this.inspector.checkQueue(queue);
  }

  /**
   * Nest's channel wrapper emits `error` when publishing its queued messages fails on a channel
   * the broker just closed (after a failover, while a classic queue's home node is down); with no
   * listener that event kills the process. The publish itself is rejected and the outbox retries
   * it, so a warning is all it needs.
   */
  override createChannel(): Promise<void> {
    const created = super.createChannel();
    const channel = this.channel as ChannelWrapper | null;
    channel?.on('error', (error: Error) =>
      this.logger.warn(`The publishing channel failed (it reopens by itself): ${error.message}`),
    );
    return created;
  }

  override connect(): Promise<unknown> {
    // The channel exists once the first connection was made: from then on it rides out
    // reconnections by itself.
    if (this.channel) return Promise.resolve();
    return super.connect() as Promise<unknown>;
  }

  override async setupChannel(channel: ConfirmChannel, resolve: () => void): Promise<void> {
    channel.on('return', (message: ConsumeMessage) => {
      const id = message.properties.messageId as string | undefined;
      if (id) this.returned.add(id);
    });
    if (this.declares) {
      const { settings, onConflict = exitOnTopologyConflict } = this.declares;
      // Nest loads amqp-connection-manager lazily and types its connection loosely.
      const manager = this.client as AmqpConnectionManager | null;
      const connection = manager?.connection;
      try {
        // On channels of its own and again until accepted (see declarePatiently): a failed
        // declaration would close the publishing channel for good.
        if (connection) {
          await declarePatiently(connection, settings, {
            stillCurrent: () => manager?.connection === connection,
            onRetry: (error) =>
              this.logger.warn(
                `Declaring ${settings.namespace} on the broker failed (${error instanceof Error ? error.message : String(error)}); trying again`,
              ),
          });
        } else {
          await declareTopology(channel, settings);
        }
      } catch (error) {
        if (isPreconditionFailed(error)) onConflict(settings.namespace, error);
        // Otherwise the connection went away meanwhile: the next one declares again.
        return;
      }
    }
    await super.setupChannel(channel, resolve);
  }

  protected override dispatchEvent(packet: ReadPacket): Promise<void> {
    return this.publishPacket(packet, this.publishTimeoutMs);
  }

  private async publishPacket(packet: ReadPacket, timeoutMs: number | undefined): Promise<void> {
    const { options, ...body } = this.serializer.serialize(packet) as ReadPacket & {
      options?: Record<string, unknown>;
    };
    // Nest loads amqp-connection-manager lazily and types its channel loosely.
    const channel = this.channel as ChannelWrapper | null;
    if (!channel) throw new Error('The RabbitMQ channel is not open');
    const routingKey =
      typeof packet.pattern === 'string' ? packet.pattern : JSON.stringify(packet.pattern);
    await channel.publish(this.exchange, routingKey, Buffer.from(JSON.stringify(body)), {
      persistent: true,
      ...options,
      mandatory: true,
      ...(timeoutMs ? { timeout: timeoutMs } : {}),
    });
    // The broker sends basic.return before the confirm, so the id is known by now.
    const id = options?.messageId;
    if (typeof id === 'string' && this.returned.delete(id)) {
      this.redeclare();
      throw new Error(`${routingKey} was returned: no queue is bound for it`);
    }
  }

  /** After a return: declare the topology again (once, off the publishing channel), so that the retry finds it. */
  private redeclare(): void {
    const connection = (this.client as AmqpConnectionManager | null)?.connection;
    if (!connection || !this.declares) return;
    declarePatiently(connection, this.declares.settings, { stillCurrent: () => false }).catch(
      () => {
        // Refused or the connection failed meanwhile: the next return or reconnection tries again.
      },
    );
  }
}
