import { MAX_RETRY_ATTEMPTS, topology } from '@app/messaging';
import * as amqp from 'amqplib';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface DeadLetter {
  readonly routingKey: string;
  readonly body: string;
  readonly headers: Record<string, unknown>;
}

/** Direct access to the broker, to do what a misbehaving producer would, and to look inside. */
export class Broker {
  private constructor(
    private readonly connection: amqp.ChannelModel,
    private readonly channel: amqp.ConfirmChannel,
  ) {}

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

  async messageCount(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  /** Deletes the namespace's queues and exchanges, so runs never disturb each other. */
  async deleteNamespace(namespace: string): Promise<void> {
    const names = topology(namespace);
    for (const context of ['order', 'barista', 'pager']) {
      await this.channel.deleteQueue(names.queue(context));
      // Deleting a queue that was never declared is fine: RabbitMQ answers delete-ok.
      for (let level = 1; level <= MAX_RETRY_ATTEMPTS; level += 1) {
        await this.channel.deleteQueue(names.retryQueue(context, level));
      }
    }
    await this.channel.deleteQueue(names.deadLetterQueue);
    await this.channel.deleteExchange(names.exchange);
    await this.channel.deleteExchange(names.deadLetterExchange);
  }

  async close(): Promise<void> {
    await this.channel.close();
    await this.connection.close();
  }
}
