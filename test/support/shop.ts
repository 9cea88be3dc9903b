import { loadConfig, type TransportKind } from '@app/platform';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaristaConfig } from '../../apps/barista/src/barista.config';
import { createBaristaApp } from '../../apps/barista/src/bootstrap';
import { createOrderApp } from '../../apps/order/src/bootstrap';
import { OrderConfig } from '../../apps/order/src/order.config';
import { createPagerApp } from '../../apps/pager/src/bootstrap';
import { PagerConfig } from '../../apps/pager/src/pager.config';
import { AMQP_URL, Broker } from './amqp';
import { dropSchemasByPrefix, E2E_DATABASE_URL, schemaPrefix } from './store-schemas';

export interface ShopOptions {
  readonly transport: TransportKind;
  readonly brewMs?: number;
  readonly machines?: number;
  readonly baristaTimeoutMs?: number;
  /** More variables for every app (e.g. order's HTTP_BREAKER_COOLDOWN_MS). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where order calls barista, when something stands in between (a proxy); else barista. */
  readonly orderBaristaUrl?: string;
  /** The broker as order alone reaches it (e.g. through a {@link TcpLink}); AMQP_URL otherwise. */
  readonly orderAmqpUrl?: string;
  /** RETRY_ATTEMPTS and RETRY_BASE_DELAY_MS (rmq); the apps' defaults when unset. */
  readonly retryAttempts?: number;
  readonly retryBaseDelayMs?: number;
  /** Start no barista: the test runs its own (as a separate process, say). */
  readonly withoutBarista?: boolean;
  /** Start no pager (yet): the test starts it later with {@link Shop.startPager}. */
  readonly withoutPager?: boolean;
}

/**
 * The three apps on real ports, in this process, configured through the same environment
 * variables a user sets, with a namespace of their own on the real RabbitMQ. With DATABASE_URL
 * set for the test run, the apps keep their state in PostgreSQL, in schemas of this shop's own
 * (dropped when it closes); else each in a SQLite file.
 */
export class Shop {
  readonly namespace = `e2e-${randomUUID().slice(0, 8)}`;
  /** The apps' database files: fresh for each shop, kept across restarts of its apps. */
  readonly dataDir = mkdtempSync(join(tmpdir(), 'shop-e2e-'));
  private barista?: INestApplication;
  private pager?: INestApplication;
  private order?: INestApplication;
  private baristaPort = 0;
  private pagerPort = 0;
  private orderPort = 0;

  private constructor(readonly options: ShopOptions) {}

  static async start(options: ShopOptions): Promise<Shop> {
    const shop = new Shop(options);
    try {
      if (!options.withoutBarista) await shop.startBarista();
      if (!options.withoutPager) await shop.startPager();
      await shop.startOrder();
    } catch (error) {
      await shop.close();
      throw error;
    }
    return shop;
  }

  get orderUrl(): string {
    return `http://127.0.0.1:${this.orderPort}`;
  }

  get pagerUrl(): string {
    return `http://127.0.0.1:${this.pagerPort}`;
  }

  get baristaUrl(): string {
    return `http://127.0.0.1:${this.baristaPort}`;
  }

  /** Starts barista (again, unless it runs), on its earlier port so that order still finds it. */
  async startBarista(): Promise<void> {
    if (this.barista) return;
    const config = loadConfig(BaristaConfig, this.env());
    this.barista = await this.listen(createBaristaApp(config), this.baristaPort);
    this.baristaPort = port(this.barista);
  }

  /** Starts order (again, unless it runs), on its earlier port and database file. */
  async startOrder(): Promise<void> {
    if (this.order) return;
    const env = { ...this.env(), AMQP_URL: this.options.orderAmqpUrl ?? AMQP_URL };
    this.order = await this.listen(createOrderApp(loadConfig(OrderConfig, env)), this.orderPort);
    this.orderPort = port(this.order);
  }

  async stopOrder(): Promise<void> {
    await this.order?.close();
    this.order = undefined;
  }

  /** Starts pager (again, unless it runs), on its earlier port and database file. */
  async startPager(): Promise<void> {
    if (this.pager) return;
    const config = loadConfig(PagerConfig, this.env());
    this.pager = await this.listen(createPagerApp(config), this.pagerPort);
    this.pagerPort = port(this.pager);
  }

  async stopPager(): Promise<void> {
    await this.pager?.close();
    this.pager = undefined;
  }

  /** The database file of one app, as its *_DB_PATH names it. */
  dbPath(app: 'order' | 'barista' | 'pager'): string {
    return join(this.dataDir, `${app}.sqlite`);
  }

  async stopBarista(): Promise<void> {
    await this.barista?.close();
    this.barista = undefined;
  }

  async close(): Promise<void> {
    for (const app of [this.order, this.pager, this.barista]) await app?.close();
    rmSync(this.dataDir, { recursive: true, force: true });
    if (E2E_DATABASE_URL) await dropSchemasByPrefix(schemaPrefix(this.namespace), E2E_DATABASE_URL);
    if (this.options.transport === 'rmq') await Broker.dropNamespace(this.namespace);
  }

  /** The environment the apps get (a barista of the test's own takes it too). */
  env(): Record<string, string> {
    const { transport, brewMs = 20, machines = 4, baristaTimeoutMs = 10_000 } = this.options;
    const { retryAttempts, retryBaseDelayMs } = this.options;
    return {
      ...(retryAttempts === undefined ? {} : { RETRY_ATTEMPTS: String(retryAttempts) }),
      ...(retryBaseDelayMs === undefined ? {} : { RETRY_BASE_DELAY_MS: String(retryBaseDelayMs) }),
      TRANSPORT: transport,
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'fatal',
      AMQP_URL,
      AMQP_NAMESPACE: this.namespace,
      BREW_MS: String(brewMs),
      ESPRESSO_MACHINES: String(machines),
      BARISTA_ID: 'e2e-barista',
      BARISTA_URL: this.options.orderBaristaUrl ?? this.baristaUrl,
      PAGER_URL: this.pagerUrl,
      BARISTA_TIMEOUT_MS: String(baristaTimeoutMs),
      ORDER_DB_PATH: this.dbPath('order'),
      BARISTA_DB_PATH: this.dbPath('barista'),
      PAGER_DB_PATH: this.dbPath('pager'),
      ...(E2E_DATABASE_URL
        ? { DATABASE_URL: E2E_DATABASE_URL, DATABASE_SCHEMA_PREFIX: schemaPrefix(this.namespace) }
        : {}),
      ...this.options.env,
    };
  }

  private async listen(creating: Promise<INestApplication>, at = 0): Promise<INestApplication> {
    const app = await creating;
    await app.listen(at, '127.0.0.1');
    return app;
  }
}

function port(app: INestApplication): number {
  return (app.getHttpServer().address() as AddressInfo).port;
}
