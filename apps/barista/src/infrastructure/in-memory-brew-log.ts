import type { CoffeeBrewed } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { BrewLog } from '../domain/brew-log';

@Injectable()
export class InMemoryBrewLog extends BrewLog {
  private readonly byOrder = new Map<string, CoffeeBrewed>();
  private readonly inOrder: CoffeeBrewed[] = [];

  find(orderId: string): Promise<CoffeeBrewed | undefined> {
    return Promise.resolve(this.byOrder.get(orderId));
  }

  record(brewed: CoffeeBrewed): Promise<void> {
    if (!this.byOrder.has(brewed.data.orderId)) {
      this.byOrder.set(brewed.data.orderId, brewed);
      this.inOrder.push(brewed);
    }
    return Promise.resolve();
  }

  latest(limit: number): Promise<{ brews: CoffeeBrewed[]; total: number }> {
    return Promise.resolve({
      brews: this.inOrder.slice(-limit).reverse(),
      total: this.inOrder.length,
    });
  }
}
