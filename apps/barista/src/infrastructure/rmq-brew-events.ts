import type { BrewStarted, CoffeeBrewed } from '@app/contracts';
import { RmqEventPublisher } from '@app/messaging';
import { Injectable } from '@nestjs/common';
import { BrewEvents } from '../application/ports/brew-events.port';

@Injectable()
export class RmqBrewEvents extends BrewEvents {
  constructor(private readonly publisher: RmqEventPublisher) {
    super();
  }

  brewStarted(event: BrewStarted): Promise<void> {
    return this.publisher.publish(event);
  }

  coffeeBrewed(event: CoffeeBrewed): Promise<void> {
    return this.publisher.publish(event);
  }
}
