import type { OrderPlaced } from '@app/contracts';
import { RmqEventPublisher } from '@app/messaging';
import { Injectable } from '@nestjs/common';
import { type HandOver, HopFailedError, OrderEvents } from '../application/ports/order-events.port';

/** TRANSPORT=rmq: the order is handed over once the broker has confirmed OrderPlaced. */
@Injectable()
export class RmqOrderEvents extends OrderEvents {
  constructor(private readonly publisher: RmqEventPublisher) {
    super();
  }

  async orderPlaced(event: OrderPlaced): Promise<HandOver> {
    try {
      await this.publisher.publish(event);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new HopFailedError('broker', 'unavailable', why);
    }
    return 'queued';
  }
}
