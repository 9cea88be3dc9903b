import type { IntegrationEvent } from '@app/contracts';
import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { OutboxEntry, OutboxStore } from './outbox';

/** Publishes one event; resolves only once the broker has confirmed it. */
export type PublishConfirmed = (event: IntegrationEvent) => Promise<void>;

export interface OutboxRelayOptions {
  /** Events published at once (their confirms are awaited together). */
  readonly batchSize?: number;
  /** The wait before the first retry after a failed publish; it doubles up to `maxRetryMs`. */
  readonly retryMs?: number;
  readonly maxRetryMs?: number;
  /**
   * Also look every this many ms, poked or not (0: never, the default). A shared outbox needs
   * it: the relay that held an event may have died, and another instance's relay is poked only
   * by its own commits.
   */
  readonly sweepMs?: number;
}

/**
 * Moves events from the outbox to the broker. Poked right after each commit, so an event leaves
 * at once in the normal case (pokes in one tick share one pass); started on boot, so whatever a
 * crash or an outage left behind goes out. An event leaves the outbox only once the broker has
 * confirmed it: a failed or unconfirmed publish stays, and the relay retries with a growing
 * pause. That gives at-least-once publishing: an event confirmed just before a crash, but not
 * yet removed, is published again with the same message id, which consumers recognise.
 */
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly batchSize: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly sweepMs: number;
  private running: Promise<void> | undefined;
  private again = false;
  private scheduled = false;
  private retry: NodeJS.Timeout | undefined;
  private delay: number;
  private failing = false;
  private stopped = false;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly outbox: OutboxStore,
    private readonly publish: PublishConfirmed,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 256;
    this.retryMs = options.retryMs ?? 250;
    this.maxRetryMs = options.maxRetryMs ?? 5000;
    this.delay = this.retryMs;
    this.sweepMs = options.sweepMs ?? 0;
  }

  /** Publishes what a crash or an outage left in the outbox. */
  onApplicationBootstrap(): void {
    // Counted (SQLite: at once) before the first pass takes any.
    void this.outbox.pendingCount().then(
      (left) => {
        if (left > 0) this.logger.log(`${left} stored events were not published yet: publishing`);
      },
      () => undefined, // the pass reports a failing store
    );
    this.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  start(): void {
    this.stopped = false;
    if (this.sweepMs > 0 && !this.sweep) {
      this.sweep = setInterval(() => this.poke(), this.sweepMs).unref();
    }
    this.run();
  }

  /** Something was added to the outbox: publish it soon. Never throws, never waits. */
  poke(): void {
    if (this.stopped || this.retry) return; // a pending retry takes it along
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // After the current tick: the request that poked answers first, and its neighbours' pokes
    // in the same tick join this pass.
    setImmediate(() => {
      this.scheduled = false;
      this.run();
    });
  }

  /** Stops retrying and waits for the pass in flight; what is left stays for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweep);
    this.sweep = undefined;
    clearTimeout(this.retry);
    this.retry = undefined;
    await this.running;
  }

  /** Resolves once nothing is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.scheduled) {
      await (this.running ?? new Promise((resolve) => setImmediate(resolve)));
    }
  }

  private run(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again && !this.retry) {
        this.again = false;
        this.poke();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped) {
        this.again = false;
        let unsent = 0;
        let reason: unknown;
        const taken = await this.outbox.relay(this.batchSize, async (batch) => {
          const results = await Promise.allSettled(
            batch.map(async (entry) => this.publish(entry.event)),
          );
          const sent = batch.filter((_, i) => results[i].status === 'fulfilled');
          unsent = batch.length - sent.length;
          reason = results.find((result) => result.status === 'rejected')?.reason;
          return sent.map((entry: OutboxEntry) => entry.seq);
        });
        if (unsent > 0) {
          this.failed(unsent, reason);
          return;
        }
        if (taken === 0) break;
      }
      if (this.failing) this.logger.log('Publishing again: the outbox is drained');
      this.failing = false;
      this.delay = this.retryMs;
    } catch (error) {
      // The database itself failed (closed under us at shutdown, disk full): try again later.
      this.failed(0, error);
    }
  }

  private failed(count: number, reason: unknown): void {
    const why = reason instanceof Error ? reason.message : String(reason);
    if (!this.failing || this.delay >= this.maxRetryMs) {
      this.logger.warn(
        `${count > 0 ? `${count} events not confirmed` : 'The outbox failed'}: ${why}; ` +
          `they stay stored, retrying in ${this.delay} ms`,
      );
    }
    this.failing = true;
    if (this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.run();
    }, this.delay);
    this.delay = Math.min(this.delay * 2, this.maxRetryMs);
  }
}
