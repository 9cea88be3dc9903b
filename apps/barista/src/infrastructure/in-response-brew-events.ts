import { Injectable } from '@nestjs/common';
import { BrewEvents } from '../application/ports/brew-events.port';

/** TRANSPORT=http: the caller waits for the coffee and gets CoffeeBrewed as the response. */
@Injectable()
export class InResponseBrewEvents extends BrewEvents {
  brewStarted(): Promise<void> {
    return Promise.resolve();
  }

  coffeeBrewed(): Promise<void> {
    return Promise.resolve();
  }
}
