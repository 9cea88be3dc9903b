import { Injectable } from '@nestjs/common';
import type { Buzz } from '../domain/buzz';
import { BuzzRepository } from '../domain/buzz.repository';

/** Buzzes in memory, for unit tests: the running app uses {@link SqliteBuzzRepository}. */
@Injectable()
export class InMemoryBuzzRepository extends BuzzRepository {
  private readonly byOrder = new Map<string, Buzz>();
  private readonly inOrder: Buzz[] = [];

  recordOnce(buzz: Buzz): Promise<Buzz | undefined> {
    const earlier = this.byOrder.get(buzz.orderId);
    if (earlier) return Promise.resolve(earlier);
    this.byOrder.set(buzz.orderId, buzz);
    this.inOrder.push(buzz);
    return Promise.resolve(undefined);
  }

  findByOrder(orderId: string): Promise<Buzz | undefined> {
    return Promise.resolve(this.byOrder.get(orderId));
  }

  latest(limit: number): Promise<{ buzzes: Buzz[]; total: number }> {
    const buzzes = this.inOrder.slice(-limit).reverse();
    return Promise.resolve({ buzzes, total: this.inOrder.length });
  }
}
