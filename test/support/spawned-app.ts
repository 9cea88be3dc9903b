import { freePort } from '@app/platform';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AMQP_URL } from './amqp';
import { eventually } from './client';

export const ROOT = join(__dirname, '..', '..');

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Node's arguments that run an app's main.ts as it is, without a build (ts-node). */
export function appArgs(app: string): string[] {
  return [
    '-r',
    'ts-node/register/transpile-only',
    '-r',
    'tsconfig-paths/register',
    `apps/${app}/src/main.ts`,
  ];
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The apps' build is missing or older than their sources (a clean clone, or edits since). */
export function buildIsStale(apps: readonly string[] = ['order', 'barista', 'pager']): boolean {
  const mains = apps.map((app) => join(ROOT, 'dist/apps', app, 'main.js'));
  if (!mains.every((main) => existsSync(main))) return true;
  const built = Math.min(...mains.map((main) => statSync(main).mtimeMs));
  return Math.max(newestMtime(join(ROOT, 'apps')), newestMtime(join(ROOT, 'libs'))) > built;
}

/**
 * One app as its own process, started from its main.ts as a user would (environment variables
 * only; ts-node, so no build is needed), so a test can signal it and watch it exit.
 */
export class SpawnedApp {
  readonly exited: Promise<Exit>;
  private output = '';
  private exit: Exit | undefined;

  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /**
   * `built`: from its up-to-date webpack bundle in dist/ (see {@link buildIsStale}), which starts
   * in a fraction of ts-node's CPU time: for tests that start many processes at once.
   */
  static start(app: string, port: number, env: Record<string, string>, built = false): SpawnedApp {
    const args = built ? [join('dist/apps', app, 'main.js')] : appArgs(app);
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    });
    return new SpawnedApp(`http://127.0.0.1:${port}`, child);
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** What the process printed so far. */
  get log(): string {
    return this.output;
  }

  /** Waits until `GET /health` answers 200 (ready); fails if the process dies first. */
  async ready(ms = 60_000): Promise<void> {
    await eventually(
      `${this.url} to be ready`,
      async () => {
        if (!this.alive) throw new Error(`it exited: ${this.output}`);
        const response = await fetch(`${this.url}/health`);
        return response.status === 200 ? true : undefined;
      },
      ms,
    );
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** SIGKILLs it if it still runs (for afterAll). */
  async stop(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
}

export const SHOP_APPS = ['barista', 'pager', 'order'] as const;
export type ShopApp = (typeof SHOP_APPS)[number];

/**
 * Order, barista and pager, each its own process on a free port, wired to each other, with
 * their databases in `dataDir` and `namespace` on the real RabbitMQ; `env` adds to or overrides
 * their variables. Not yet ready: wait on each app's {@link SpawnedApp.ready}.
 */
export async function spawnShop(
  transport: 'http' | 'rmq',
  {
    namespace,
    dataDir,
    env = {},
  }: { namespace: string; dataDir: string; env?: Record<string, string> },
): Promise<Map<ShopApp, SpawnedApp>> {
  const ports = { barista: await freePort(), pager: await freePort(), order: await freePort() };
  const shared = {
    TRANSPORT: transport,
    LOG_LEVEL: 'log',
    AMQP_URL,
    AMQP_NAMESPACE: namespace,
    BARISTA_URL: `http://127.0.0.1:${ports.barista}`,
    PAGER_URL: `http://127.0.0.1:${ports.pager}`,
    BARISTA_PORT: String(ports.barista),
    PAGER_PORT: String(ports.pager),
    ORDER_PORT: String(ports.order),
    ORDER_DB_PATH: join(dataDir, 'order.sqlite'),
    BARISTA_DB_PATH: join(dataDir, 'barista.sqlite'),
    PAGER_DB_PATH: join(dataDir, 'pager.sqlite'),
    ...env,
  };
  return new Map(SHOP_APPS.map((app) => [app, SpawnedApp.start(app, ports[app], shared)]));
}
