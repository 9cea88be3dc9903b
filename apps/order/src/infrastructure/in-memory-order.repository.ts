import type { IntegrationEvent } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import {
  OrderRepository,
  type OrderTransaction,
  zeroCounts,
} from '../application/ports/order.repository';
import { Order, type OrderStatus } from '../domain/order';

/**
 * Orders in memory, for unit tests: the running apps use a SQLite or PostgreSQL repository.
 * Like them, it hands out copies and keeps a transaction's writes until it commits.
 */
@Injectable()
export class InMemoryOrderRepository extends OrderRepository {
  private readonly orders = new Map<string, Order>();
  private readonly handled = new Set<string>();
  /** The events committed to the outbox, in order (nothing publishes them). */
  readonly outbox: IntegrationEvent[] = [];
  /** The status of the order at each committed save, in order. */
  readonly saved: OrderStatus[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  transaction<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.run(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stores `order` as it is now, outside any unit of work (a test's starting point). */
  put(order: Order): void {
    order.pullEvents();
    this.orders.set(order.id, copy(order));
  }

  findById(id: string): Promise<Order | undefined> {
    const order = this.orders.get(id);
    return Promise.resolve(order && copy(order));
  }

  list(filter: {
    status?: OrderStatus;
    limit: number;
  }): Promise<{ orders: Order[]; total: number }> {
    const all = [...this.orders.values()];
    const matching = filter.status ? all.filter((o) => o.status === filter.status) : all;
    return Promise.resolve({
      orders: matching.slice(-filter.limit).reverse().map(copy),
      total: matching.length,
    });
  }

  countByStatus(): Promise<Record<OrderStatus, number>> {
    const counts = zeroCounts();
    for (const order of this.orders.values()) counts[order.status] += 1;
    return Promise.resolve(counts);
  }

  /** Whether a committed transaction recorded `messageId` as handled. */
  hasHandled(messageId: string): boolean {
    return this.handled.has(messageId);
  }

  private async run<T>(work: (tx: OrderTransaction) => Promise<T>): Promise<T> {
    const saves: Order[] = [];
    const outbox: IntegrationEvent[] = [];
    const handled: string[] = [];
    const result = await work({
      findById: (id) => this.findById(id),
      hasHandled: (messageId) => Promise.resolve(this.handled.has(messageId)),
      save: (order, events) => {
        saves.push(copy(order));
        outbox.push(...events);
        return Promise.resolve();
      },
      recordHandled: (messageId) => {
        handled.push(messageId);
        return Promise.resolve();
      },
    });
    for (const order of saves) {
      this.orders.set(order.id, order);
      this.saved.push(order.status);
    }
    this.outbox.push(...outbox);
    for (const messageId of handled) this.handled.add(messageId);
    return result;
  }
}

function copy(order: Order): Order {
  const { id, customer, items, correlationId, history } = order;
  return Order.restore({ id, customer, items, correlationId, history });
}
