import { Metrics } from '@app/platform';
import { OutboxStore } from '@app/storage';
import { Injectable, type OnModuleInit, Optional } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { OrderRepository } from '../application/ports/order.repository';
import { DownstreamCalls } from './downstream-calls';
import type { CircuitView } from './http-defences';

/** `shop_circuit_state`'s values: the further from closed, the higher. */
export const CIRCUIT_STATE_VALUES: Readonly<Record<Exclude<CircuitView, 'off'>, number>> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

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
    @Optional() private readonly calls?: DownstreamCalls,
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
    this.circuits();
    this.outboxBacklog();
  }

  /**
   * `shop_circuit_state{callee}` (TRANSPORT=http): each downstream's circuit breaker, read from
   * the breaker when scraped. A callee without a breaker (HTTP_BREAKER=off) has no series.
   */
  private circuits(): void {
    const calls = this.calls;
    if (!calls) return;
    new Gauge({
      name: 'shop_circuit_state',
      help: "Circuit breaker of order's calls to each callee: 0 closed, 1 half-open, 2 open.",
      labelNames: ['callee'],
      registers: [this.metrics.registry],
      collect() {
        this.reset();
        for (const [callee, view] of Object.entries(calls.view())) {
          if (view.circuit !== 'off') this.set({ callee }, CIRCUIT_STATE_VALUES[view.circuit]);
        }
      },
    });
  }

  private outboxBacklog(): void {
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
