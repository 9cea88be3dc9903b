import type { OrderPlaced } from '@app/contracts';
import { OutboxRelay } from '@app/storage';
import { Injectable } from '@nestjs/common';
import { type HandOver, OrderEvents } from '../application/ports/order-events.port';

/**
 * TRANSPORT=rmq: OrderPlaced was stored with the order, in its outbox; the order counts as
 * handed over from then on (202 means stored). The relay is told at once, so the event normally
 * leaves within the same round trip to the broker; when the broker is away it leaves once it is
 * back, even if this process has been restarted meanwhile.
 */
@Injectable()
export class RmqOrderEvents extends OrderEvents {
  constructor(private readonly relay: OutboxRelay) {
    super();
  }

  orderPlaced(_event: OrderPlaced): Promise<HandOver> {
    this.relay.poke();
    return Promise.resolve('queued');
  }
}
