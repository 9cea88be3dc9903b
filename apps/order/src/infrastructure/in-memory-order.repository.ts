import { Injectable } from '@nestjs/common';
import type { Order, OrderStatus } from '../domain/order';
import { OrderRepository } from '../domain/order.repository';

/** Orders in memory (the process is the store; durable storage is a separate adapter). */
@Injectable()
export class InMemoryOrderRepository extends OrderRepository {
  private readonly orders = new Map<string, Order>();

  save(order: Order): Promise<void> {
    this.orders.set(order.id, order);
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
}
