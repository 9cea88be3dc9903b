import { type MessageHandler, ServerRMQ, type RmqOptions } from '@nestjs/microservices';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { deadLetter } from './dead-letter';
import { topology } from './topology';

type ServerOptions = NonNullable<RmqOptions['options']>;

/**
 * Nest's RabbitMQ server with the shop's topology and a gate in front of the handlers: a message
 * that is not JSON, is not a Nest event packet, names another event than its routing key, or has
 * no handler here is dead-lettered with the reason instead of being nacked without one (Nest's
 * default) or dispatched by a pattern that contradicts how it was routed.
 */
export class ShopRmqServer extends ServerRMQ {
  private readonly namespace: string;

  constructor(options: ServerOptions & { namespace: string }) {
    const { namespace, ...rmq } = options;
    super(rmq);
    this.namespace = namespace;
  }

  override async setupChannel(channel: ConfirmChannel, callback: () => void): Promise<void> {
    const names = topology(this.namespace);
    await channel.assertExchange(names.deadLetterExchange, 'topic', { durable: true });
    await channel.assertQueue(names.deadLetterQueue, { durable: true });
    await channel.bindQueue(names.deadLetterQueue, names.deadLetterExchange, '#');
    await super.setupChannel(channel, callback);
  }

  override async handleMessage(delivery: Record<string, unknown> | null, channel: ConfirmChannel) {
    // null: the broker cancelled the consumer; it is set up again on reconnect.
    if (delivery === null) return;
    const message = delivery as unknown as ConsumeMessage;
    const problem = this.inspect(message);
    if (problem !== undefined) {
      this.logger.warn(
        `Dead-lettering message ${message.properties.messageId ?? '(no id)'} from ${this.queue}: ${problem}`,
      );
      await deadLetter(channel, message, problem, { namespace: this.namespace, queue: this.queue });
      return;
    }
    return super.handleMessage(delivery, channel);
  }

  /**
   * A plain map lookup first. Nest's own runs `JSON.parse` on the pattern inside a `try`, a thrown
   * exception for every plain pattern (twice per message: in the gate and in `handleEvent`); it
   * remains the fallback for JSON (object) patterns and wildcards.
   */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    return this.messageHandlers.get(pattern) ?? super.getHandlerByPattern(pattern);
  }

  /** Why `message` cannot be dispatched, or undefined if it can. */
  private inspect(message: ConsumeMessage): string | undefined {
    let packet: unknown;
    try {
      packet = JSON.parse(message.content.toString('utf8'));
    } catch {
      return 'malformed: the body is not JSON';
    }
    if (typeof packet !== 'object' || packet === null || Array.isArray(packet)) {
      return 'malformed: the body is not a JSON object';
    }
    const { pattern, data } = packet as { pattern?: unknown; data?: unknown };
    if (typeof pattern !== 'string') return 'malformed: the body has no string "pattern"';
    if (typeof data !== 'object' || data === null)
      return 'malformed: the body has no object "data"';
    if (pattern !== message.fields.routingKey) {
      return `malformed: pattern "${pattern}" does not match routing key "${message.fields.routingKey}"`;
    }
    if (!this.getHandlerByPattern(pattern)) {
      return `no handler for "${pattern}" on ${this.queue}`;
    }
    return undefined;
  }
}
