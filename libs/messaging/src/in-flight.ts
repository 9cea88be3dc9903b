import { Injectable } from '@nestjs/common';
import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * The deliveries this app's consumer has taken and not yet settled (acked, retried or
 * dead-lettered), so that a graceful shutdown can wait for them. A delivery whose channel has
 * closed no longer counts: the broker redelivers it, and nothing here can ack it any more.
 */
@Injectable()
export class InFlightMessages {
  private readonly deliveries = new Map<ConsumeMessage, Channel>();
  private readonly waiters = new Set<() => void>();

  get size(): number {
    return this.deliveries.size;
  }

  add(message: ConsumeMessage, channel: Channel): void {
    this.deliveries.set(message, channel);
  }

  settled(message: ConsumeMessage): void {
    if (this.deliveries.delete(message)) this.wakeIfIdle();
  }

  /** Forgets the deliveries of a channel that has closed. */
  channelClosed(channel: Channel): void {
    for (const [message, on] of this.deliveries)
      if (on === channel) this.deliveries.delete(message);
    this.wakeIfIdle();
  }

  /** Resolves true once nothing is in flight, or false if `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.deliveries.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(idle);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.waiters.add(wake);
    });
  }

  private wakeIfIdle(): void {
    if (this.deliveries.size > 0) return;
    for (const wake of [...this.waiters]) wake();
  }
}
