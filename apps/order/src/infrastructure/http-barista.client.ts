import type { CoffeeBrewed, OrderPlaced } from '@app/contracts';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { BaristaClient } from '../application/ports/barista-client.port';
import { OrderConfig } from '../order.config';
import { DownstreamCalls } from './downstream-calls';
import { HttpDownstream } from './http-downstream';

/** `POST /brews` on a barista (balanced over BARISTA_URL), keyed by the order id. */
@Injectable()
export class HttpBaristaClient extends BaristaClient implements OnApplicationShutdown {
  private readonly barista: HttpDownstream;

  constructor(config: OrderConfig, calls: DownstreamCalls) {
    super();
    this.barista = HttpDownstream.of('barista', config, calls);
  }

  brew(order: OrderPlaced): Promise<CoffeeBrewed> {
    return this.barista.post<CoffeeBrewed>('/brews', order, order.data.orderId);
  }

  onApplicationShutdown(): Promise<void> {
    return this.barista.close();
  }
}
