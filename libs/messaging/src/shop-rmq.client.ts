import { ClientRMQ, type ReadPacket, type RmqOptions } from '@nestjs/microservices';
import type { ChannelWrapper } from 'amqp-connection-manager';

type ClientOptions = NonNullable<RmqOptions['options']>;

/**
 * Nest's RabbitMQ client, publishing events through amqp-connection-manager's promise API.
 * Nest passes a callback instead, which amqp-connection-manager (via promise-breaker) defers
 * with `setTimeout(0)`: measured here, that added 1.5 ms to every confirmed publish (p50 2.4 ms
 * against 0.9 ms). The wire format, the confirm channel and everything else stay Nest's.
 */
export class ShopRmqClient extends ClientRMQ {
  private readonly exchange: string;

  constructor(options: ClientOptions) {
    super(options);
    if (!options.exchange) throw new Error('ShopRmqClient publishes to an exchange: set one');
    this.exchange = options.exchange;
  }

  /**
   * Publishes one event and resolves once the broker confirmed it, or rejects after `timeoutMs`:
   * `emit()` without its Observable plumbing (defer, mergeMap and a connectable per message,
   * about 5 % of barista's CPU in profiles). Same connection, channel, serializer and wire format.
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
        this.connect().then(() => this.dispatchEvent({ pattern, data })),
        expired,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  protected override async dispatchEvent(packet: ReadPacket): Promise<void> {
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
    });
  }
}
