import type { CoffeeBrewed } from '@app/contracts';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PagerClient } from '../application/ports/pager-client.port';
import { OrderConfig } from '../order.config';
import { DownstreamCalls } from './downstream-calls';
import { HttpDownstream } from './http-downstream';

/** `POST /buzzes` on the pager, keyed by the order id. */
@Injectable()
export class HttpPagerClient extends PagerClient implements OnApplicationShutdown {
  private readonly pager: HttpDownstream;

  constructor(config: OrderConfig, calls: DownstreamCalls) {
    super();
    this.pager = HttpDownstream.of('pager', config, calls);
  }

  async buzz(brewed: CoffeeBrewed): Promise<void> {
    await this.pager.post('/buzzes', brewed, brewed.data.orderId);
  }

  onApplicationShutdown(): Promise<void> {
    return this.pager.close();
  }
}
