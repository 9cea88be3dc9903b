import { freePort, type TransportKind } from '@app/platform';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { AMQP_URL, Broker } from './amqp';
import { buildIsStale, ROOT, SpawnedApp } from './spawned-app';

/** The apps a scaled shop runs several instances of. */
export type ScaledRole = 'order' | 'barista' | 'pager';
const ROLES: readonly ScaledRole[] = ['order', 'barista', 'pager'];

const PORT_VARIABLE: Record<ScaledRole | 'gateway', string> = {
  order: 'ORDER_PORT',
  barista: 'BARISTA_PORT',
  pager: 'PAGER_PORT',
  gateway: 'GATEWAY_PORT',
};

export interface ScaledShopOptions {
  readonly transport: TransportKind;
  /** How many processes of each app. */
  readonly instances: Readonly<Record<ScaledRole, number>>;
  /** The one database every instance shares (DATABASE_URL). */
  readonly databaseUrl: string;
  readonly brewMs?: number;
  readonly machines?: number;
  /** More variables for every app. */
  readonly env?: Record<string, string>;
}

/**
 * Builds the apps' webpack bundles when they are missing or older than the sources. A test that
 * starts eight processes at once runs them from the bundles: from ts-node each takes seconds of
 * CPU to start, minutes for eight on two cores.
 */
export async function ensureBuilt(): Promise<void> {
  if (!buildIsStale(['order', 'barista', 'pager', 'gateway'])) return;
  const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const child = spawn('npm', ['run', 'build'], { cwd: ROOT, env: process.env });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, text }));
  });
  if (output.code !== 0) throw new Error(`npm run build failed:\n${output.text.slice(-4000)}`);
}

/**
 * Several instances of each app as separate processes (their built main.js, as in production), on
 * one database and one broker namespace, behind one gateway: the gateway spreads the clients'
 * calls over the order instances, and under http order spreads its calls over the baristas and
 * pagers (BARISTA_URL and PAGER_URL list every instance). An instance killed with SIGKILL can be
 * started again on its own port, so those lists stay true; the processes it replaced are kept,
 * with what they printed, in {@link ScaledShop.processes}.
 */
export class ScaledShop {
  readonly namespace = `e2e-${randomUUID().slice(0, 8)}`;
  private readonly apps: Record<ScaledRole, SpawnedApp[]> = { order: [], barista: [], pager: [] };
  private readonly replaced: Record<ScaledRole, SpawnedApp[]> = {
    order: [],
    barista: [],
    pager: [],
  };
  private gatewayApp?: SpawnedApp;

  private constructor(
    readonly options: ScaledShopOptions,
    private readonly ports: Record<ScaledRole | 'gateway', number[]>,
  ) {}

  static async start(options: ScaledShopOptions): Promise<ScaledShop> {
    await ensureBuilt();
    const ports: Record<ScaledRole | 'gateway', number[]> = {
      order: [],
      barista: [],
      pager: [],
      gateway: [await freePort()],
    };
    for (const role of ROLES) {
      for (let i = 0; i < options.instances[role]; i += 1) ports[role].push(await freePort());
    }
    const shop = new ScaledShop(options, ports);
    try {
      // All at once, in no particular order: each app starts on its own.
      for (const role of ROLES) {
        for (let i = 0; i < options.instances[role]; i += 1)
          shop.apps[role][i] = shop.spawn(role, i);
      }
      shop.gatewayApp = SpawnedApp.start('gateway', ports.gateway[0], shop.gatewayEnv(), true);
      await Promise.all(shop.running().map((app) => app.ready(120_000)));
    } catch (error) {
      const logs = shop.logs();
      await shop.close();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`);
    }
    return shop;
  }

  /** The gateway: where the clients send their orders. */
  get url(): string {
    if (!this.gatewayApp) throw new Error('the shop is not running');
    return this.gatewayApp.url;
  }

  /** Every instance of one app by its own URL, running or not. */
  urls(role: ScaledRole): string[] {
    return this.ports[role].map((port) => `http://127.0.0.1:${port}`);
  }

  /** Every process of one app this shop ran: the running ones and those they replaced. */
  processes(role: ScaledRole): SpawnedApp[] {
    return [...this.replaced[role], ...this.apps[role]];
  }

  /** `kill -9` of one instance: no shutdown hook, nothing in flight finished or acknowledged. */
  async kill(role: ScaledRole, index: number): Promise<SpawnedApp> {
    const app = this.apps[role][index];
    app.signal('SIGKILL');
    await app.exited;
    return app;
  }

  /** Starts a killed instance again on its port, and waits until it is ready. */
  async restart(role: ScaledRole, index: number): Promise<void> {
    const old = this.apps[role][index];
    if (old.alive) return;
    this.replaced[role].push(old);
    this.apps[role][index] = this.spawn(role, index);
    await this.apps[role][index].ready(120_000);
  }

  /** The end of what every process printed (for a failure's message). */
  logs(): string {
    return this.everyProcess()
      .map((app) => `--- ${app.url}${app.alive ? '' : ' (exited)'}\n${app.log.slice(-3000)}`)
      .join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.everyProcess().map((app) => app.stop()));
    if (this.options.transport === 'rmq') await Broker.dropNamespace(this.namespace);
  }

  private running(): SpawnedApp[] {
    return this.everyProcess().filter((app) => app.alive);
  }

  private everyProcess(): SpawnedApp[] {
    const apps = ROLES.flatMap((role) => this.processes(role));
    return this.gatewayApp ? [...apps, this.gatewayApp] : apps;
  }

  private spawn(role: ScaledRole, index: number): SpawnedApp {
    const port = this.ports[role][index];
    const env = {
      ...this.appEnv(),
      [PORT_VARIABLE[role]]: String(port),
      ...(role === 'barista' ? { BARISTA_ID: `e2e-barista-${index + 1}` } : {}),
    };
    return SpawnedApp.start(role, port, env, true);
  }

  private appEnv(): Record<string, string> {
    const { transport, databaseUrl, brewMs = 20, machines = 4, env = {} } = this.options;
    return {
      TRANSPORT: transport,
      LOG_LEVEL: 'log',
      AMQP_URL,
      AMQP_NAMESPACE: this.namespace,
      DATABASE_URL: databaseUrl,
      // Eight processes on a server that other test runs share (max_connections 100).
      DATABASE_POOL_MAX: '4',
      BREW_MS: String(brewMs),
      ESPRESSO_MACHINES: String(machines),
      BARISTA_URL: this.urls('barista').join(','),
      PAGER_URL: this.urls('pager').join(','),
      ...env,
    };
  }

  private gatewayEnv(): Record<string, string> {
    return {
      LOG_LEVEL: 'warn',
      [PORT_VARIABLE.gateway]: String(this.ports.gateway[0]),
      ORDER_UPSTREAMS: this.urls('order').join(','),
      BARISTA_UPSTREAMS: this.urls('barista').join(','),
      PAGER_UPSTREAMS: this.urls('pager').join(','),
      // A killed instance is back within seconds: do not leave it out of the rotation for long.
      GATEWAY_COOLDOWN_MS: '500',
    };
  }
}
