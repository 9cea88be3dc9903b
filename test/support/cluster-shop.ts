import type { AmqpQueueType } from '@app/platform';
import { freePort } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anOrder, get, post } from './client';
import { SpawnedApp } from './spawned-app';

type App = 'order' | 'barista' | 'pager';

export interface Brew {
  readonly data: { readonly orderId: string };
}

export interface Buzz {
  readonly orderId: string;
  readonly buzzedAt: string;
}

/**
 * The three apps as real processes (their main.ts, as a user starts them) on a RabbitMQ cluster:
 * AMQP_URL is the nodes' comma list, with a namespace and databases of their own.
 */
export class ClusterShop {
  readonly namespace = `e2e-${randomUUID().slice(0, 8)}`;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'shop-cluster-e2e-'));
  private readonly apps = new Map<App, SpawnedApp>();

  private constructor(
    private readonly env: Record<string, string>,
    private readonly ports: Record<App, number>,
  ) {}

  static async start(amqpUrl: string, queueType: AmqpQueueType): Promise<ClusterShop> {
    const [order, barista, pager] = [await freePort(), await freePort(), await freePort()];
    const shop = new ClusterShop({}, { order, barista, pager });
    Object.assign(shop.env, {
      TRANSPORT: 'rmq',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
      AMQP_URL: amqpUrl,
      AMQP_NAMESPACE: shop.namespace,
      AMQP_QUEUE_TYPE: queueType,
      // Short enough to see a missed confirm again soon, long enough for a leader election.
      AMQP_PUBLISH_TIMEOUT_MS: '3000',
      BREW_MS: '20',
      ESPRESSO_MACHINES: '4',
      BARISTA_ID: 'e2e-cluster-barista',
      BARISTA_URL: `http://127.0.0.1:${barista}`,
      PAGER_URL: `http://127.0.0.1:${pager}`,
      ORDER_PORT: String(order),
      BARISTA_PORT: String(barista),
      PAGER_PORT: String(pager),
      ORDER_DB_PATH: join(shop.dataDir, 'order.sqlite'),
      BARISTA_DB_PATH: join(shop.dataDir, 'barista.sqlite'),
      PAGER_DB_PATH: join(shop.dataDir, 'pager.sqlite'),
    });
    try {
      for (const app of ['barista', 'pager', 'order'] as const) {
        shop.apps.set(app, SpawnedApp.start(app, shop.ports[app], shop.env));
      }
      // Three ts-node processes starting at once: minutes on a loaded machine.
      await Promise.all([...shop.apps.values()].map((app) => app.ready(300_000)));
    } catch (error) {
      const logs = shop.logs();
      await shop.close();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`);
    }
    return shop;
  }

  url(app: App): string {
    return `http://127.0.0.1:${this.ports[app]}`;
  }

  /** What the apps printed, for a failure's message. */
  logs(): string {
    return [...this.apps].map(([app, spawned]) => `--- ${app}\n${spawned.log}`).join('\n');
  }

  /** Places one order; its id if order accepted it (202), else undefined. */
  async place(customer: string): Promise<{ status: number; id?: string }> {
    try {
      const reply = await post<{ id: string }>(`${this.url('order')}/orders`, anOrder(customer));
      return { status: reply.status, id: reply.status === 202 ? reply.body.id : undefined };
    } catch {
      return { status: 0 };
    }
  }

  /** Barista's brew log (newest first), the orders' own record of what it brewed. */
  async brews(): Promise<Brew[]> {
    return (await get<{ brews: Brew[] }>(`${this.url('barista')}/brews?limit=1000`)).body.brews;
  }

  /** Pager's buzzes (newest first). */
  async buzzes(): Promise<Buzz[]> {
    return (await get<{ buzzes: Buzz[] }>(`${this.url('pager')}/buzzes?limit=1000`)).body.buzzes;
  }

  async close(): Promise<void> {
    await Promise.all([...this.apps.values()].map((app) => app.stop()));
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** How many times each id occurs. */
export function tally(ids: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/**
 * An order every `everyMs` until stopped, whatever happens to the answers (open loop), each
 * stamped with when it was sent.
 */
export class SteadyLoad {
  readonly placed: { at: number; status: number; id?: string }[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(shop: ClusterShop, everyMs: number) {
    this.loop = (async () => {
      const pending: Promise<void>[] = [];
      for (let i = 0; this.running; i += 1) {
        const at = Date.now();
        pending.push(
          shop.place(`node-loss-${i}`).then((reply) => void this.placed.push({ at, ...reply })),
        );
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
      await Promise.all(pending);
    })();
  }

  /** Ids of the accepted orders (202). */
  accepted(since = 0): string[] {
    return this.placed.filter((p) => p.at >= since && p.id).map((p) => p.id as string);
  }

  refused(): number {
    return this.placed.filter((p) => !p.id).length;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
