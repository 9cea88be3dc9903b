import { EventTypes } from '@app/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker, type Tapped } from './support/amqp';
import { anOrder, BuzzListener, eventually, post } from './support/client';
import { SHOP_APPS, type ShopApp, type SpawnedApp, spawnShop } from './support/spawned-app';

type LogLine = Record<string, unknown> & { app?: string; msg?: string };

const APPS = SHOP_APPS;
type App = ShopApp;

/** Every JSON line an app printed (anything else, such as a stack trace, is left out). */
function linesOf(app: SpawnedApp): LogLine[] {
  return app.log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

/**
 * One order through the three apps, each its own process as in production, printing its JSON
 * log lines to stdout: the caller's `traceparent` and `x-correlation-id` must reach every app's
 * lines about the order (and, under rmq, every message's headers), so that grep on either id
 * shows the order's whole path.
 */
describe.each(['http', 'rmq'] as const)('tracing (TRANSPORT=%s)', (transport) => {
  const namespace = `e2e-trace-${randomUUID().slice(0, 8)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'trace-e2e-'));
  const apps = new Map<App, SpawnedApp>();
  let broker: Broker | undefined;
  let taps: Tapped[][] = [];

  beforeAll(async () => {
    const env = { BREW_MS: '20', BARISTA_ID: 'trace-barista' };
    for (const [name, spawned] of await spawnShop(transport, { namespace, dataDir, env })) {
      apps.set(name, spawned);
    }
    // Three processes compiling the apps with ts-node at once, on two cores shared with other
    // test runs: a minute was seen not to be enough (the otel spec waits as long).
    await Promise.all([...apps.values()].map((app) => app.ready(150_000)));
    if (transport === 'rmq') {
      broker = await Broker.connect();
      const keys = [EventTypes.OrderPlaced, EventTypes.BrewStarted, EventTypes.CoffeeBrewed];
      taps = await Promise.all(keys.map((key) => broker!.tap(namespace, key)));
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.stop()));
    if (broker) {
      await broker.deleteNamespace(namespace).catch(() => undefined);
      await broker.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const app = (name: App) => apps.get(name)!;

  it("carries the caller's trace and correlation ids through every app's log lines", async () => {
    const traceId = randomUUID().replace(/-/g, '');
    const callerSpan = '00f067aa0ba902b7';
    const correlationId = `trace-e2e-${randomUUID().slice(0, 8)}`;
    const buzzes = await BuzzListener.follow(apps.get('pager')!.url);
    try {
      const reply = await post<{ id: string }>(`${app('order').url}/orders`, anOrder('Tracy'), {
        traceparent: `00-${traceId}-${callerSpan}-01`,
        'x-correlation-id': correlationId,
      });
      expect(reply.status).toBe(transport === 'http' ? 201 : 202);
      expect(reply.headers.get('x-correlation-id')).toBe(correlationId);
      const orderId = reply.body.id;
      await buzzes.waitFor([orderId]);

      const about = (name: App) =>
        eventually(`${name}'s lines about the order`, () => {
          const lines = linesOf(app(name)).filter((line) => line.orderId === orderId);
          const done = name !== 'order' || lines.some((line) => line.msg === 'Order ready');
          return Promise.resolve(done && lines.length > 0 ? lines : undefined);
        });
      const lines = {
        order: await about('order'),
        barista: await about('barista'),
        pager: await about('pager'),
      };

      for (const name of APPS) {
        for (const line of lines[name]) {
          expect(line).toMatchObject({ app: name, correlationId, traceId, orderId });
          // A span of each hop's own, never the caller's.
          expect(line.spanId).toMatch(/^[0-9a-f]{16}$/);
          expect(line.spanId).not.toBe(callerSpan);
        }
      }
      const steps = (name: App) => lines[name].map((line) => line.msg);
      expect(steps('order')).toEqual(expect.arrayContaining(['Order placed', 'Order ready']));
      expect(steps('barista')).toEqual(expect.arrayContaining(['Brew started', 'Coffee brewed']));
      expect(steps('pager')).toEqual(['Buzzed Tracy']);
      // grep on the correlation id alone finds the same lines (and the ids are on every one).
      for (const name of APPS) {
        const grepped = app(name)
          .log.split('\n')
          .filter((line) => line.includes(correlationId));
        expect(grepped.length).toBeGreaterThanOrEqual(lines[name].length);
        for (const line of grepped) expect(line).toContain(traceId);
      }

      if (transport === 'rmq') {
        expect(steps('order')).toEqual(
          expect.arrayContaining(['Handed to barista: order.placed published', 'Order brewing']),
        );
        const [placed, started, brewed] = taps;
        await eventually('each event on the tap', () =>
          Promise.resolve(placed.length && started.length && brewed.length ? true : undefined),
        );
        const ours = taps
          .flat()
          .map((tapped) => tapped.headers)
          .filter((headers) => headers['x-correlation-id'] === correlationId);
        expect(ours).toHaveLength(3);
        const spans = new Set<string>();
        for (const headers of ours) {
          const [version, trace, span, flags] = String(headers.traceparent).split('-');
          expect({ version, trace, flags }).toEqual({ version: '00', trace: traceId, flags: '01' });
          spans.add(span);
        }
        // Each message is a hop of its own.
        expect(spans.size).toBe(3);
        expect(spans.has(callerSpan)).toBe(false);
      }
    } finally {
      await buzzes.close();
    }
  });

  it("starts a trace of its own when the caller's traceparent cannot be read", async () => {
    const reply = await post<{ id: string }>(`${app('order').url}/orders`, anOrder('Nora'), {
      traceparent: '00-not-a-trace-context-01',
    });
    expect(reply.status).toBe(transport === 'http' ? 201 : 202);
    const correlationId = reply.headers.get('x-correlation-id');
    const orderId = reply.body.id;
    const placed = await eventually('the order placed line', () =>
      Promise.resolve(
        linesOf(app('order')).find(
          (line) => line.orderId === orderId && line.msg === 'Order placed',
        ),
      ),
    );
    expect(placed.correlationId).toBe(correlationId);
    expect(placed.traceId).toMatch(/^[0-9a-f]{32}$/);
    const brewed = await eventually('barista to brew it in the same trace', () =>
      Promise.resolve(
        linesOf(app('barista')).find(
          (line) => line.orderId === orderId && line.msg === 'Coffee brewed',
        ),
      ),
    );
    expect(brewed.traceId).toBe(placed.traceId);
  });
});
