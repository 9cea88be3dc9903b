import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { InFlightMessages } from './in-flight';
import type { ShopRmqServer } from './shop-rmq.server';

export const SHUTDOWN_TIMEOUT_MS = Symbol('SHUTDOWN_TIMEOUT_MS');

export type ConsumerState = 'none' | 'connecting' | 'consuming' | 'stopped';

/**
 * The app's RabbitMQ consumer as the rest of the app sees it: whether it is consuming (for
 * readiness) and its graceful stop. On shutdown, before Nest closes the servers and channels,
 * it cancels the consumer so that no new delivery arrives, then waits (at most the shutdown
 * timeout) until every delivery already taken has been handled and acked, retried or
 * dead-lettered; only then may the channel close. What is still in flight after the timeout is
 * left unacked: the broker redelivers it.
 */
@Injectable()
export class ConsumerControl implements BeforeApplicationShutdown {
  private readonly logger = new Logger('RmqConsumer');
  private server: ShopRmqServer | undefined;
  private stopped = false;

  constructor(
    readonly inFlight: InFlightMessages,
    @Inject(SHUTDOWN_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  attach(server: ShopRmqServer): void {
    this.server = server;
  }

  get state(): ConsumerState {
    if (!this.server) return 'none';
    if (this.stopped) return 'stopped';
    return this.server.isConsuming ? 'consuming' : 'connecting';
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.server || this.stopped) return;
    this.stopped = true;
    await this.server.stopConsuming();
    const inFlight = this.inFlight.size;
    if (inFlight === 0) return;
    this.logger.log(`Stopped consuming; finishing ${inFlight} message(s) in flight`);
    if (await this.inFlight.idle(this.timeoutMs)) {
      this.logger.log(`Finished the ${inFlight} message(s) in flight`);
    } else {
      this.logger.warn(
        `${this.inFlight.size} message(s) still in flight after ${this.timeoutMs} ms: ` +
          'left unacked, the broker redelivers them',
      );
    }
  }
}
