import { Metrics } from '@app/platform';
import { OutboxStore } from '@app/storage';
import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { OrderRepository } from '../application/ports/order.repository';

/**
 * `shop_orders{status}`: the orders on the list by status, counted from the repository when
 * Prometheus scrapes (one GROUP BY) rather than kept up to date on every order, so the hot path
 * pays nothing and the figure cannot drift from what is stored.
 */
@Injectable()
export class OrderMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly orders: OrderRepository,
    @Optional() private readonly outbox?: OutboxStore,
  ) {}

  onModuleInit(): void {
    const orders = this.orders;
    new Gauge({
      name: 'shop_orders',
      help: 'Orders stored by the counter, by status (counted on scrape).',
      labelNames: ['status'],
      registers: [this.metrics.registry],
      async collect() {
        const counts = await orders.countByStatus();
        for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
      },
    });
    const outbox = this.outbox;
    if (!outbox) return;
    // What an operator asks first when the broker is away: how much waits, and since when.
    new Gauge({
      name: 'shop_outbox_events',
      help: 'Events stored in the outbox, not yet confirmed by the broker (counted on scrape).',
      registers: [this.metrics.registry],
      async collect() {
        this.set(await outbox.pendingCount());
      },
    });
    new Gauge({
      name: 'shop_outbox_oldest_age_seconds',
      help: 'Age of the oldest event waiting in the outbox; 0 when it is empty.',
      registers: [this.metrics.registry],
      async collect() {
        const at = await outbox.oldestPendingAt();
        this.set(at === undefined ? 0 : Math.max(0, (Date.now() - at) / 1000));
      },
    });
  }
}
