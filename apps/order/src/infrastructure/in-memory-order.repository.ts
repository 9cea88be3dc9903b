import type { IntegrationEvent } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { type Order, type OrderStatus, zeroCounts } from '../domain/order';
import { OrderRepository, type SaveOptions } from '../domain/order.repository';

/** Orders in memory, for unit tests: the running apps use {@link SqliteOrderRepository}. */
@Injectable()
export class InMemoryOrderRepository extends OrderRepository {
  private readonly orders = new Map<string, Order>();
  private readonly handled = new Set<string>();
  /** The events saves asked to publish, in order (nothing publishes them). */
  readonly outbox: IntegrationEvent[] = [];
  /** The status of the order at each save, in order. */
  readonly saved: OrderStatus[] = [];

  save(order: Order, options: SaveOptions = {}): Promise<void> {
    this.saved.push(order.status);
    const stored = this.orders.get(order.id);
    if (stored && stored !== order) order.absorb(stored.history);
    this.orders.set(order.id, order);
    this.outbox.push(...(options.events ?? []));
    if (options.handledMessageId) this.handled.add(options.handledMessageId);
    return Promise.resolve();
  }

  findById(id: string): Promise<Order | undefined> {
    return Promise.resolve(this.orders.get(id));
  }

  list(filter: {
    status?: OrderStatus;
    limit: number;
  }): Promise<{ orders: Order[]; total: number }> {
    const all = [...this.orders.values()];
    const matching = filter.status ? all.filter((o) => o.status === filter.status) : all;
    return Promise.resolve({
      orders: matching.slice(-filter.limit).reverse(),
      total: matching.length,
    });
  }

  countByStatus(): Promise<Record<OrderStatus, number>> {
    const counts = zeroCounts();
    for (const order of this.orders.values()) counts[order.status] += 1;
    return Promise.resolve(counts);
  }

  hasHandled(messageId: string): Promise<boolean> {
    return Promise.resolve(this.handled.has(messageId));
  }
}
