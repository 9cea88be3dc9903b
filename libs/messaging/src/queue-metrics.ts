import { Metrics } from '@app/platform';
import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MESSAGING_PLACE, type MessagingPlace } from './messaging-place';
import { EVENTS_CLIENT } from './rmq-event.publisher';
import { topology } from './topology';

/** How long a scrape waits for the broker's answer before it leaves the queue's figures out. */
export const QUEUE_CHECK_TIMEOUT_MS = 500;
/** Overrides {@link QUEUE_CHECK_TIMEOUT_MS} (tests). */
export const QUEUE_CHECK_TIMEOUT = Symbol('QUEUE_CHECK_TIMEOUT');

type QueueCounts = { messageCount: number; consumerCount: number };

/** What {@link QueueMetrics} asks the broker: a passive check of one queue. */
export interface QueueInspector {
  checkQueue(queue: string): Promise<QueueCounts>;
}

/**
 * `shop_queue_messages{queue}` and `shop_queue_consumers{queue}` for the app's own queue
 * and the namespace's `<ns>.unroutable` (events that no queue was bound for), asked of the broker (passive checkQueue) when Prometheus scrapes. A broker that is down or
 * slow to answer leaves both series out of that scrape; the scrape itself never fails or waits
 * longer than {@link QUEUE_CHECK_TIMEOUT_MS}.
 */
@Injectable()
export class QueueMetrics implements OnModuleInit {
  private readonly logger = new Logger(QueueMetrics.name);
  private pending: Promise<Map<string, QueueCounts>> | undefined;

  constructor(
    @Inject(EVENTS_CLIENT) private readonly broker: QueueInspector,
    @Inject(MESSAGING_PLACE) private readonly place: MessagingPlace,
    @Optional() private readonly metrics?: Metrics,
    @Optional() @Inject(QUEUE_CHECK_TIMEOUT) private readonly timeoutMs = QUEUE_CHECK_TIMEOUT_MS,
  ) {}

  onModuleInit(): void {
    if (!this.metrics) return;
    const registers = [this.metrics.registry];
    const queues = [this.place.queue, topology(this.place.namespace).unroutableQueue];
    const gauge = (name: string, help: string, pick: (counts: QueueCounts) => number) => {
      const answer = () => this.answer(queues);
      return new Gauge({
        name,
        help,
        labelNames: ['queue'],
        registers,
        async collect() {
          this.reset();
          for (const [queue, counts] of await answer()) this.set({ queue }, pick(counts));
        },
      });
    };
    gauge(
      'shop_queue_messages',
      "Messages ready in the app's queue and in <ns>.unroutable (passive checkQueue on scrape).",
      (counts) => counts.messageCount,
    );
    gauge(
      'shop_queue_consumers',
      "Consumers attached to the app's queue and <ns>.unroutable (passive checkQueue on scrape).",
      (counts) => counts.consumerCount,
    );
  }

  /** One broker round trip per queue and scrape: prom-client collects both gauges at once. */
  private answer(queues: readonly string[]): Promise<Map<string, QueueCounts>> {
    this.pending ??= Promise.all(
      queues.map(async (queue) => [queue, await this.check(queue)] as const),
    )
      .then((answers) => {
        const known = new Map<string, QueueCounts>();
        for (const [queue, counts] of answers) if (counts) known.set(queue, counts);
        return known;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  private async check(queue: string): Promise<QueueCounts | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.timeoutMs);
    });
    try {
      return await Promise.race([this.broker.checkQueue(queue), expired]);
    } catch (error) {
      this.logger.warn(
        `Could not check ${queue}: ${error instanceof Error ? error.message : String(error)}`,
      );
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
