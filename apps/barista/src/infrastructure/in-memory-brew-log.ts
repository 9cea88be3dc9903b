import type { CoffeeBrewed } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { BrewLog } from '../domain/brew-log';

/** The brew log in memory, for unit tests: the running app uses {@link SqliteBrewLog}. */
@Injectable()
export class InMemoryBrewLog extends BrewLog {
  private readonly byOrder = new Map<string, CoffeeBrewed>();
  private readonly inOrder: CoffeeBrewed[] = [];
  private readonly claims = new Map<string, { holder: string; until: number }>();
  readonly handled = new Set<string>();

  find(orderId: string): Promise<CoffeeBrewed | undefined> {
    return Promise.resolve(this.byOrder.get(orderId));
  }

  claim(orderId: string, holder: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const held = this.claims.get(orderId);
    if (this.byOrder.has(orderId) || (held && held.holder !== holder && held.until > now)) {
      return Promise.resolve(false);
    }
    this.claims.set(orderId, { holder, until: now + leaseMs });
    return Promise.resolve(true);
  }

  record(brewed: CoffeeBrewed, handledMessageId: string): Promise<CoffeeBrewed> {
    this.handled.add(handledMessageId);
    this.claims.delete(brewed.data.orderId);
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
