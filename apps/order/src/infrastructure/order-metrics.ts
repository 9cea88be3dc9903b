import { Metrics } from '@app/platform';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { OrderRepository } from '../domain/order.repository';

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
  }
}
