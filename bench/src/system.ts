import { freePort } from '@app/platform';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrokerKind, HttpDefences, QueueType, SystemKind, Transport } from './model';
import { request } from 'undici';
import { AppProcess, baseEnv, type AppEntries, type Role } from './processes';

/** The services the hang faults freeze. */
export type FrozenRole = 'barista' | 'pager';

/** What a scenario may change between runs: the barista side of the shop. */
export interface BaristaSettings {
  readonly brewMs: number;
  readonly machines: number;
  readonly baristas: number;
  /** Order's BARISTA_TIMEOUT_MS (http); unset in a scenario's settings: the system's own. */
  readonly baristaTimeoutMs?: number;
}

export interface SystemOptions extends BaristaSettings {
  readonly kind: SystemKind;
  readonly entries: AppEntries;
  readonly transport: Transport;
  readonly namespace: string;
  readonly amqpUrl: string;
  /** Recorded with the runs: the machine's broker (unset) or the local cluster. */
  readonly broker?: BrokerKind;
  /** The apps' AMQP_QUEUE_TYPE; unset: their default. */
  readonly queueType?: QueueType;
  readonly cwd: string;
  readonly logDir: string;
  /** Where each app process keeps its database file (`<logPrefix>-<app>.sqlite`). */
  readonly dataDir: string;
  /** Set: every process writes a V8 CPU profile here when it exits. */
  readonly profileDir?: string;
  /** File-name prefix of this system's logs, e.g. `rmq-shop`. */
  readonly logPrefix: string;
  readonly logLevel: string;
  /** Lets the faults scenario slow barista down at run time (its FAULT_INJECTION). */
  readonly faultInjection?: boolean;
  readonly baristaTimeoutMs: number;
  readonly pagerTimeoutMs: number;
  /** Order's HTTP_DEFENCES (http); unset: the app's default. */
  readonly httpDefences?: HttpDefences;
  readonly startupMs: number;
  readonly host?: string;
  /** More variables for every app (the tracing scenario's OTEL_*). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /** Order instances, each on a port of its own (default 1); the load client spreads over them. */
  readonly orders?: number;
  /** One PostgreSQL database for every app (their DATABASE_URL); unset: a SQLite file each. */
  readonly database?: ShopDatabase;
}

/** The scratch PostgreSQL database a shop runs on. */
export interface ShopDatabase {
  readonly name: string;
  readonly url: string;
  /** Each app instance's DATABASE_POOL_MAX; unset: the apps' default. */
  readonly poolMax?: number;
}

export function sameSettings(a: BaristaSettings, b: BaristaSettings): boolean {
  return (
    a.brewMs === b.brewMs &&
    a.machines === b.machines &&
    a.baristas === b.baristas &&
    a.baristaTimeoutMs === b.baristaTimeoutMs
  );
}

/**
 * One coffee shop: order, pager and N baristas as separate processes on free ports, configured by
 * environment variables only, exactly as a user would run them.
 */
export class ShopSystem {
  private baristas: (AppProcess | undefined)[] = [];
  private orders: AppProcess[] = [];
  private pager: AppProcess | undefined;
  private current: SystemOptions;
  /** Every process ever started, in start order, including stopped ones. */
  readonly all: AppProcess[] = [];
  /** Called for every process started from now on (the resource sampler tracks restarts). */
  spawnHook: ((app: AppProcess) => void) | undefined;

  private constructor(
    options: SystemOptions,
    private readonly ports: { orders: number[]; pager: number; baristas: number[] },
  ) {
    this.current = options;
  }

  get options(): SystemOptions {
    return this.current;
  }

  static async start(options: SystemOptions): Promise<ShopSystem> {
    const host = options.host ?? '127.0.0.1';
    const ports = { orders: [] as number[], pager: await freePort(host), baristas: [] as number[] };
    for (let i = 0; i < (options.orders ?? 1); i += 1) ports.orders.push(await freePort(host));
    const system = new ShopSystem(options, ports);
    try {
      system.freshData();
      await system.ensureBaristaPorts(options.baristas);
      system.pager = system.spawn('pager', 1);
      for (let i = 1; i <= options.baristas; i += 1)
        system.baristas[i - 1] = system.spawn('barista', i);
      system.orders = ports.orders.map((_, i) => system.spawn('order', i + 1));
      await Promise.all(
        system.all.map((app) => app.waitHealthy(options.startupMs, options.transport)),
      );
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  private async ensureBaristaPorts(count: number): Promise<void> {
    while (this.ports.baristas.length < count) this.ports.baristas.push(await freePort(this.host));
  }

  /**
   * Restarts the baristas with other settings (and, under http, order too when the number of
   * barista URLs changes, since order reads BARISTA_URL at start). Returns false if nothing changed.
   */
  async reconfigure(settings: BaristaSettings): Promise<boolean> {
    if (sameSettings(settings, this.current)) return false;
    const restartOrder =
      this.current.transport === 'http' &&
      (settings.baristas !== this.current.baristas ||
        (settings.baristaTimeoutMs !== undefined &&
          settings.baristaTimeoutMs !== this.current.baristaTimeoutMs));
    const stopping = this.baristas.filter((app): app is AppProcess => !!app);
    if (restartOrder) stopping.push(...this.orders);
    await Promise.all(stopping.map((app) => app.stop()));
    this.baristas = [];
    this.current = {
      ...this.current,
      ...settings,
      baristaTimeoutMs: settings.baristaTimeoutMs ?? this.current.baristaTimeoutMs,
    };
    await this.ensureBaristaPorts(settings.baristas);
    const started: AppProcess[] = [];
    for (let i = 1; i <= settings.baristas; i += 1) {
      const app = this.spawn('barista', i);
      this.baristas[i - 1] = app;
      started.push(app);
    }
    if (restartOrder) {
      this.orders = this.ports.orders.map((_, i) => this.spawn('order', i + 1));
      started.push(...this.orders);
    }
    await Promise.all(
      started.map((app) => app.waitHealthy(this.current.startupMs, this.current.transport)),
    );
    return true;
  }

  private get host(): string {
    return this.current.host ?? '127.0.0.1';
  }

  /** The first order instance: where the bench reads order's own figures. */
  get orderUrl(): string {
    return this.orderUrls[0];
  }

  /** Every order instance. */
  get orderUrls(): string[] {
    return this.ports.orders.map((port) => `http://${this.host}:${port}`);
  }

  get pagerUrl(): string {
    return `http://${this.host}:${this.ports.pager}`;
  }

  /** The URLs of the baristas of the current settings. */
  get baristaUrls(): string[] {
    return this.ports.baristas
      .slice(0, this.current.baristas)
      .map((port) => `http://${this.host}:${port}`);
  }

  /** The processes running now. */
  get live(): AppProcess[] {
    return [...this.orders, this.pager, ...this.baristas].filter(
      (app): app is AppProcess => !!app && app.alive,
    );
  }

  private env(role: Role, instance: number): Record<string, string> {
    const o = this.current;
    const common = {
      ...baseEnv(),
      TRANSPORT: o.transport,
      HOST: this.host,
      LOG_LEVEL: o.logLevel,
      AMQP_URL: o.amqpUrl,
      AMQP_NAMESPACE: o.namespace,
      ...o.extraEnv,
      ...(o.queueType ? { AMQP_QUEUE_TYPE: o.queueType } : {}),
      ...(o.database ? { DATABASE_URL: o.database.url } : {}),
      ...(o.database?.poolMax ? { DATABASE_POOL_MAX: String(o.database.poolMax) } : {}),
    };
    switch (role) {
      case 'order':
        return {
          ...common,
          ORDER_DB_PATH: this.dbPath(instance === 1 ? 'order' : `order-${instance}`),
          ORDER_PORT: String(this.ports.orders[instance - 1]),
          BARISTA_URL: this.baristaUrls.join(','),
          PAGER_URL: this.pagerUrl,
          BARISTA_TIMEOUT_MS: String(o.baristaTimeoutMs),
          PAGER_TIMEOUT_MS: String(o.pagerTimeoutMs),
          ...(o.httpDefences ? { HTTP_DEFENCES: o.httpDefences } : {}),
        };
      case 'barista':
        return {
          ...common,
          BARISTA_PORT: String(this.ports.baristas[instance - 1]),
          BREW_MS: String(o.brewMs),
          ESPRESSO_MACHINES: String(o.machines),
          BARISTA_ID: `barista-${instance}`,
          BARISTA_DB_PATH: this.dbPath(`barista-${instance}`),
          ...(o.faultInjection ? { FAULT_INJECTION: 'on' } : {}),
        };
      case 'pager':
        return {
          ...common,
          PAGER_PORT: String(this.ports.pager),
          PAGER_DB_PATH: this.dbPath('pager'),
        };
    }
  }

  /** One app's database file: kept across restarts of that app within this system. */
  private dbPath(app: string): string {
    return join(this.current.dataDir, `${this.current.logPrefix}-${app}.sqlite`);
  }

  /** A new system starts from empty stores, whatever an earlier run left in the folder. */
  private freshData(): void {
    const { dataDir, logPrefix } = this.current;
    mkdirSync(dataDir, { recursive: true });
    const ours = /^(order|order-\d+|pager|barista-\d+)\.sqlite(-wal|-shm)?$/;
    for (const file of readdirSync(dataDir)) {
      const app = file.startsWith(`${logPrefix}-`) ? file.slice(logPrefix.length + 1) : '';
      if (ours.test(app)) rmSync(join(dataDir, file), { force: true });
    }
  }

  private spawn(role: Role, instance: number): AppProcess {
    const port =
      role === 'order'
        ? this.ports.orders[instance - 1]
        : role === 'pager'
          ? this.ports.pager
          : this.ports.baristas[instance - 1];
    const suffix =
      role === 'pager' || (role === 'order' && instance === 1) ? role : `${role}-${instance}`;
    const app = AppProcess.spawn({
      role,
      instance,
      entry: this.current.entries[role],
      cwd: this.current.cwd,
      env: this.env(role, instance),
      nodeArgs: this.current.profileDir
        ? [
            '--cpu-prof',
            '--cpu-prof-dir',
            this.current.profileDir,
            '--cpu-prof-name',
            `${this.current.logPrefix}-${suffix}-${this.all.length + 1}.cpuprofile`,
          ]
        : [],
      logFile: join(this.current.logDir, `${this.current.logPrefix}-${suffix}.log`),
      port,
      host: this.host,
    });
    this.all.push(app);
    this.spawnHook?.(app);
    return app;
  }

  /** SIGTERM to one barista (1-based), waiting until it has exited. */
  async stopBarista(instance: number): Promise<void> {
    const app = this.baristas[instance - 1];
    this.baristas[instance - 1] = undefined;
    await app?.stop();
  }

  /**
   * SIGKILL to one barista (1-based), as `kill -9` would: no shutdown hook runs, nothing in flight
   * is finished or acknowledged. Resolves once it has exited, with how it ended.
   */
  async killBarista(instance: number): Promise<string | undefined> {
    const app = this.baristas[instance - 1];
    this.baristas[instance - 1] = undefined;
    if (!app) return undefined;
    app.killNow();
    await app.exited;
    return app.exitDescription;
  }

  /** Starts a barista again on the same port and id, and waits until it is healthy. */
  async startBarista(instance: number): Promise<void> {
    const app = this.spawn('barista', instance);
    this.baristas[instance - 1] = app;
    await app.waitHealthy(this.current.startupMs, this.current.transport);
  }

  /** The running process of one role (barista: its first instance), for the faults. */
  private process(role: FrozenRole): AppProcess | undefined {
    return role === 'pager' ? this.pager : this.baristas[0];
  }

  /** SIGSTOP to barista#1 or pager: frozen, its port still accepting connections. */
  freeze(role: FrozenRole): void {
    this.process(role)?.freeze();
  }

  /** SIGCONT to barista#1 or pager, then waits until it answers `/health` again. */
  async thaw(role: FrozenRole): Promise<void> {
    const app = this.process(role);
    app?.thaw();
    await app?.waitHealthy(this.current.startupMs, this.current.transport);
  }

  /** barista#1 brews `factor` times slower from now on (1: normal); needs FAULT_INJECTION. */
  async slowBarista(factor: number): Promise<void> {
    const [url] = this.baristaUrls;
    const response = await request(`${url}/faults/brew-slowdown`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ factor }),
      headersTimeout: 5000,
      bodyTimeout: 5000,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new Error(
        `barista refused the slowdown (${response.statusCode}): ${text.slice(0, 200)}`,
      );
  }

  /** Coffees barista#1 has brewed since its log began (`GET /brews`), or null. */
  async brewTotal(): Promise<number | null> {
    const [url] = this.baristaUrls;
    try {
      const response = await request(`${url}/brews?limit=1`, {
        headersTimeout: 5000,
        bodyTimeout: 5000,
      });
      const body = (await response.body.json().catch(() => null)) as { total?: unknown } | null;
      return response.statusCode === 200 && typeof body?.total === 'number' ? body.total : null;
    } catch {
      return null;
    }
  }

  /** The order process (its pid, for the caller-health sampler). */
  get orderProcess(): AppProcess | undefined {
    return this.orders[0];
  }

  /** Processes that died on their own (not stopped by us): a crash during the run. */
  crashed(): AppProcess[] {
    const current = [...this.orders, this.pager, ...this.baristas].filter(
      (app): app is AppProcess => !!app,
    );
    return current.filter((app) => !app.alive);
  }

  /** Stops every process of this system; order first, so nothing new enters while the rest stop. */
  async stop(): Promise<void> {
    await Promise.all(this.orders.map((app) => app.stop()));
    await Promise.all(this.all.map((app) => app.stop()));
  }
}
