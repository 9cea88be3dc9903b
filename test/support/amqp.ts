import {
  declareEventsExchange,
  deleteNamespace,
  encodePacket,
  envelopeIn,
  SHOP_CONTEXTS,
  topology,
} from '@app/messaging';
import { DEFAULT_AMQP_URL } from '@app/platform';
import * as amqp from 'amqplib';

export const AMQP_URL = process.env.AMQP_URL ?? DEFAULT_AMQP_URL;

export interface Seen {
  readonly routingKey: string;
  readonly body: { data?: Record<string, unknown> } & Record<string, unknown>;
}

/**
 * A queue of the test's own bound to the namespace's event exchange: it sees every event with
 * the given routing keys, as one more subscriber would.
 */
export class Spy {
  readonly seen: Seen[] = [];

  private constructor(
    private readonly channel: amqp.Channel,
    private readonly queue: string,
  ) {}

  static async follow(
    connection: amqp.ChannelModel,
    namespace: string,
    routingKeys: readonly string[],
  ): Promise<Spy> {
    const channel = await connection.createChannel();
    const exchange = topology(namespace).exchange;
    await declareEventsExchange(channel, namespace);
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    for (const key of routingKeys) await channel.bindQueue(queue, exchange, key);
    const spy = new Spy(channel, queue);
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        spy.seen.push({
          routingKey: message.fields.routingKey,
          body: envelopeIn(message.content) ?? {},
        });
      },
      { noAck: true },
    );
    return spy;
  }

  /** The `data` of each event seen with this routing key. */
  events(routingKey: string): Record<string, unknown>[] {
    return this.seen
      .filter((seen) => seen.routingKey === routingKey)
      .map((seen) => seen.body.data ?? {});
  }

  async close(): Promise<void> {
    await this.channel.deleteQueue(this.queue).catch(() => undefined);
    await this.channel.close().catch(() => undefined);
  }
}

export interface DeadLetter {
  readonly routingKey: string;
  readonly body: string;
  readonly headers: Record<string, unknown>;
}

/** One event seen on a {@link Broker.tap}. */
export interface Tapped {
  readonly messageId: string;
  readonly event: { messageId: string; data: Record<string, unknown> } & Record<string, unknown>;
  readonly headers: Record<string, unknown>;
}

/** Direct access to the broker, to do what a misbehaving producer would, and to look inside. */
export class Broker {
  private constructor(
    private readonly connection: amqp.ChannelModel,
    private readonly channel: amqp.ConfirmChannel,
  ) {}

  /** Follows the namespace's events with these routing keys (see {@link Spy}). */
  spy(namespace: string, routingKeys: readonly string[]): Promise<Spy> {
    return Spy.follow(this.connection, namespace, routingKeys);
  }

  static async connect(): Promise<Broker> {
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createConfirmChannel();
    return new Broker(connection, channel);
  }

  /** Publishes raw bytes straight to the namespace's event exchange. */
  async publishRaw(
    namespace: string,
    routingKey: string,
    body: string,
    options: amqp.Options.Publish = {},
  ): Promise<void> {
    this.channel.publish(topology(namespace).exchange, routingKey, Buffer.from(body), {
      persistent: true,
      ...options,
    });
    await this.channel.waitForConfirms();
  }

  /**
   * Publishes `event` as an app would: Nest's packet, routed by its type, with its ids in the
   * message's properties.
   */
  async publishEvent(
    namespace: string,
    event: { readonly type: string; readonly messageId: string; readonly correlationId: string },
  ): Promise<void> {
    this.channel.publish(
      topology(namespace).exchange,
      event.type,
      encodePacket(event.type, event),
      {
        persistent: true,
        messageId: event.messageId,
        correlationId: event.correlationId,
        contentType: 'application/json',
      },
    );
    await this.channel.waitForConfirms();
  }

  /** Takes every message now in the namespace's dead-letter queue. */
  async drainDeadLetters(namespace: string): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for (;;) {
      const message = await this.channel.get(topology(namespace).deadLetterQueue, { noAck: true });
      if (message === false) return letters;
      letters.push({
        routingKey: message.fields.routingKey,
        body: message.content.toString('utf8'),
        headers: message.properties.headers ?? {},
      });
    }
  }

  /**
   * Copies every event published with `routingKey` in the namespace to a queue of the test's
   * own (deleted with this connection), from now on.
   */
  async tap(namespace: string, routingKey: string): Promise<Tapped[]> {
    const { queue } = await this.channel.assertQueue('', { exclusive: true, autoDelete: true });
    await this.channel.bindQueue(queue, topology(namespace).exchange, routingKey);
    const seen: Tapped[] = [];
    await this.channel.consume(
      queue,
      (message) => {
        if (!message) return;
        seen.push({
          messageId: message.properties.messageId as string,
          event: envelopeIn(message.content) as Tapped['event'],
          headers: message.properties.headers ?? {},
        });
      },
      { noAck: true },
    );
    return seen;
  }

  /** Reads every message now in the dead-letter queue and leaves them there (requeued). */
  async peekDeadLetters(namespace: string): Promise<DeadLetter[]> {
    const channel = await this.connection.createChannel();
    try {
      const letters: DeadLetter[] = [];
      for (;;) {
        const message = await channel.get(topology(namespace).deadLetterQueue, { noAck: false });
        if (message === false) break;
        letters.push({
          routingKey: message.fields.routingKey,
          body: message.content.toString('utf8'),
          headers: message.properties.headers ?? {},
        });
      }
      channel.nackAll(true);
      return letters;
    } finally {
      await channel.close();
    }
  }

  async messageCount(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  async consumerCount(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).consumerCount;
  }

  /** Deletes the namespace's queues (of these contexts) and exchanges, so runs never disturb each other. */
  async deleteNamespace(
    namespace: string,
    contexts: readonly string[] = SHOP_CONTEXTS,
  ): Promise<void> {
    await deleteNamespace(this.channel, namespace, contexts);
  }

  async close(): Promise<void> {
    await this.channel.close();
    await this.connection.close();
  }

  /** Connects, deletes a test's namespace ({@link Broker.deleteNamespace}) and disconnects. */
  static async dropNamespace(namespace: string): Promise<void> {
    const broker = await Broker.connect();
    try {
      await broker.deleteNamespace(namespace);
    } finally {
      await broker.close();
    }
  }
}
