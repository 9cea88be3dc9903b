import type { IntegrationEvent, OrderPlaced } from '@app/contracts';
import type { RmqEventPublisher } from '@app/messaging';
import { messageLogContext, withLogContext } from '@app/platform';
import { OutboxRelay } from '@app/storage';
import { Injectable, Logger } from '@nestjs/common';
import { type HandOverOutcome, OrderHandOver } from '../application/ports/order-hand-over.port';

/**
 * TRANSPORT=rmq: OrderPlaced was stored with the order, in its outbox; the order counts as
 * handed over from then on (202 means stored). The relay is told at once, so the event normally
 * leaves within the same round trip to the broker; when the broker is away it leaves once it is
 * back, even if this process has been restarted meanwhile.
 */
@Injectable()
export class OutboxHandOver extends OrderHandOver {
  constructor(private readonly relay: OutboxRelay) {
    super();
  }

  handOver(_event: OrderPlaced): Promise<HandOverOutcome> {
    this.relay.poke();
    return Promise.resolve('queued');
  }
}

const relayLogger = new Logger('Counter');

/**
 * How the relay publishes a stored event: confirmed by the broker, then logged as the order's
 * hand-over, in the event's own log context (the relay works outside any request, and may
 * publish an event long after its request, or after a restart).
 */
export function publishStored(
  publisher: RmqEventPublisher,
  event: IntegrationEvent,
): Promise<void> {
  const context = () => messageLogContext(event.correlationId, event.traceparent);
  return withLogContext(context, async () => {
    await publisher.publish(event);
    relayLogger.log({
      msg: `Handed to barista: ${event.type} published`,
      orderId: event.data.orderId,
    });
  });
}
