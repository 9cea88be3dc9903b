// Order on SQLite runs as one process per file (its board feed is in its process, its outbox
// relay assumes it is alone): a second process on the same ORDER_DB_PATH stops at start with one
// line, and a process started right after kill -9 of the holder waits for its lease to lapse,
// then serves. Real processes from the build, as a user or `--scale order=2` would start them.
import { freePort } from '@app/platform';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './support/client';
import { ensureBuilt } from './support/scaled-shop';
import { SpawnedApp } from './support/spawned-app';

describe('order on one SQLite file: one process at a time', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'order-guard-e2e-'));
  const ORDER_DB_PATH = join(dataDir, 'order.sqlite');
  const started: SpawnedApp[] = [];

  /** An order process on the shared file (http: no broker; barista and pager are not needed). */
  const startOrder = async (): Promise<SpawnedApp> => {
    const port = await freePort();
    const env = { TRANSPORT: 'http', LOG_LEVEL: 'log', ORDER_PORT: String(port), ORDER_DB_PATH };
    const app = SpawnedApp.start('order', port, env, true);
    started.push(app);
    return app;
  };

  /** It answers GET /orders (its /health waits on barista and pager under http). */
  const serves = (app: SpawnedApp) =>
    eventually(
      `${app.url} to serve`,
      async () => {
        if (!app.alive) throw new Error(`it exited: ${app.log}`);
        const response = await fetch(`${app.url}/orders`).catch(() => undefined);
        return response?.status === 200 ? true : undefined;
      },
      60_000,
    );

  beforeAll(() => ensureBuilt(), 600_000);

  // Killed, so the next test's first process waits for their lease to lapse, as after a crash.
  afterEach(async () => {
    for (const app of started.splice(0)) await app.stop();
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a second process with one line, and after kill -9 of the first a new one serves', async () => {
    const first = await startOrder();
    await serves(first);

    const second = await startOrder();
    const exit = await second.exited;

    expect(exit.code).toBe(1);
    const fatal = second.log.split('\n').filter((line) => line.includes('FATAL'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toContain(
      `ORDER_DB_PATH=${ORDER_DB_PATH} is in use by another order instance`,
    );
    expect(fatal[0]).toMatch(/\(\S+:\d+:[0-9a-f]{8}, seen \d+ s ago\)/);
    expect(fatal[0]).toContain('several need DATABASE_URL (PostgreSQL, docs/stores.md)');
    expect(second.log).not.toMatch(/\n\s+at /);
    expect(first.alive).toBe(true);

    first.signal('SIGKILL');
    await first.exited;
    const third = await startOrder();
    // It found the dead one's lease, most likely still fresh: it serves once that lapsed.
    await serves(third);

    // A graceful stop gives the lease up: the next one starts without waiting.
    third.signal('SIGTERM');
    expect((await third.exited).code).not.toBe(1);
    const fourth = await startOrder();
    await serves(fourth);
    expect(fourth.log).not.toMatch(/waiting for it to lapse/);
  }, 180_000);

  it('stops a holder that was frozen while another took the file over: error line, exit 1', async () => {
    const frozen = await startOrder();
    await serves(frozen);

    frozen.signal('SIGSTOP');
    const next = await startOrder();
    await serves(next); // it took the un-renewed lease over
    frozen.signal('SIGCONT');

    expect((await frozen.exited).code).toBe(1);
    expect(frozen.log).toMatch(/Lost ORDER_DB_PATH=\S+ to another order instance/);
    expect(next.alive).toBe(true);
  }, 180_000);
});
