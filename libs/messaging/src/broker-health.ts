import type { CheckResult, ReadinessCheck } from '@app/platform';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { ConsumerControl } from './consumer-control';
import { EVENTS_CLIENT } from './rmq-event.publisher';
import type { ShopRmqClient } from './shop-rmq.client';

type PublisherState = 'idle' | 'connected' | 'disconnected' | 'blocked';

/**
 * Readiness under rmq: the consumer is attached to its queue, and the publisher (connected on
 * first use, hence `idle` until then) is not cut off from the broker.
 */
@Injectable()
export class BrokerHealthCheck implements ReadinessCheck, OnModuleDestroy {
  readonly name = 'broker';
  private publisher: PublisherState = 'idle';
  private readonly watching: Subscription;

  constructor(
    private readonly consumer: ConsumerControl,
    @Inject(EVENTS_CLIENT) client: ShopRmqClient,
  ) {
    this.watching = client.status.subscribe((given) => {
      // Nest types the statuses as several enums; their values are plain strings.
      const status = given as string;
      this.publisher =
        status === 'connected' || status === 'unblocked'
          ? 'connected'
          : status === 'blocked'
            ? 'blocked'
            : 'disconnected';
    });
  }

  check(): CheckResult {
    const consumer = this.consumer.state;
    const up =
      (consumer === 'consuming' || consumer === 'none') &&
      (this.publisher === 'connected' || this.publisher === 'idle');
    return { status: up ? 'up' : 'down', consumer, publisher: this.publisher };
  }

  onModuleDestroy(): void {
    this.watching.unsubscribe();
  }
}
