import type { CoffeeBrewed } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { BrewLog } from '../domain/brew-log';

/** The brew log in memory, for unit tests: the running app uses {@link SqliteBrewLog}. */
@Injectable()
export class InMemoryBrewLog extends BrewLog {
  private readonly byOrder = new Map<string, CoffeeBrewed>();
  private readonly inOrder: CoffeeBrewed[] = [];
  readonly handled = new Set<string>();

  find(orderId: string): Promise<CoffeeBrewed | undefined> {
    return Promise.resolve(this.byOrder.get(orderId));
  }

  record(brewed: CoffeeBrewed, handledMessageId: string): Promise<CoffeeBrewed> {
    this.handled.add(handledMessageId);
    const earlier = this.byOrder.get(brewed.data.orderId);
    if (earlier) return Promise.resolve(earlier);
    this.byOrder.set(brewed.data.orderId, brewed);
    this.inOrder.push(brewed);
    return Promise.resolve(brewed);
  }

  latest(limit: number): Promise<{ brews: CoffeeBrewed[]; total: number }> {
    return Promise.resolve({
      brews: this.inOrder.slice(-limit).reverse(),
      total: this.inOrder.length,
    });
  }
}
