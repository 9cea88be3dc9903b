import { freePort } from '@app/platform';
import { OtlpReceiver, type ReceivedSpan, SpanKinds } from '@app/telemetry';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AMQP_URL, Broker } from './support/amqp';
import { anOrder, BuzzListener, eventually, post } from './support/client';
import { SpawnedApp } from './support/spawned-app';

const APPS = ['barista', 'pager', 'order'] as const;
type App = (typeof APPS)[number];

/** One order's trace as the receiver got it, with ways to walk it. */
class Trace {
  constructor(readonly spans: ReceivedSpan[]) {}

  get traceId(): string {
    return this.spans[0].traceId;
  }

  /** The one span named `name` (or matching it) in `service`; fails if there is not exactly one. */
  one(service: App, name: string | RegExp, kind?: number): ReceivedSpan {
    const found = this.spans.filter(
      (span) =>
        span.service === service &&
        (typeof name === 'string' ? span.name === name : name.test(span.name)) &&
        (kind === undefined || span.kind === kind),
    );
    if (found.length !== 1) {
      throw new Error(`${found.length} spans ${service} ${String(name)}:\n${this.describe()}`);
    }
    return found[0];
  }

  parentOf(span: ReceivedSpan): ReceivedSpan | undefined {
    return this.spans.find((other) => other.spanId === span.parentSpanId);
  }

  /** Whether `ancestor` is `span`'s parent, or its parent's, and so on. */
  descends(span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
    for (let up = this.parentOf(span); up; up = this.parentOf(up)) {
      if (up.spanId === ancestor.spanId) return true;
    }
    return false;
  }

  describe(): string {
    return this.spans
      .map((span) => `${span.service} ${span.name} ${span.spanId}<-${span.parentSpanId ?? '-'}`)
      .join('\n');
  }
}

/**
 * The three apps as processes with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT only, as a user would
 * turn it on), exporting to an OTLP/HTTP receiver this test starts: every order is one trace,
 * across the real HTTP and AMQP hops, shaped as the transport promises (under http the request
 * holds the brew; under rmq it is answered before the brew starts).
 */
describe.each(['http', 'rmq'] as const)('OpenTelemetry traces (TRANSPORT=%s)', (transport) => {
  const namespace = `e2e-otel-${randomUUID().slice(0, 8)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'otel-e2e-'));
  const apps = new Map<App, SpawnedApp>();
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
    const ports = { barista: await freePort(), pager: await freePort(), order: await freePort() };
    const env = {
      TRANSPORT: transport,
      LOG_LEVEL: 'log',
      AMQP_URL,
      AMQP_NAMESPACE: namespace,
      BREW_MS: '50',
      BARISTA_URL: `http://127.0.0.1:${ports.barista}`,
      PAGER_URL: `http://127.0.0.1:${ports.pager}`,
      BARISTA_PORT: String(ports.barista),
      PAGER_PORT: String(ports.pager),
      ORDER_PORT: String(ports.order),
      ORDER_DB_PATH: join(dataDir, 'order.sqlite'),
      BARISTA_DB_PATH: join(dataDir, 'barista.sqlite'),
      PAGER_DB_PATH: join(dataDir, 'pager.sqlite'),
      ...receiver.env(),
    };
    for (const app of APPS) apps.set(app, SpawnedApp.start(app, ports[app], env));
    // Three processes loading the SDK at once on a shared machine: a generous start-up.
    await Promise.all([...apps.values()].map((app) => app.ready(150_000)));
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.stop()));
    if (transport === 'rmq') {
      const broker = await Broker.connect();
      await broker.deleteNamespace(namespace).catch(() => undefined);
      await broker.close();
    }
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const url = (app: App) => apps.get(app)!.url;

  /** Places orders, waits for their buzzes and for each one's trace to reach its last span. */
  async function placeOrders(count: number): Promise<{ orderId: string; trace: Trace }[]> {
    const buzzes = await BuzzListener.follow(url('pager'));
    try {
      const placed = await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const correlationId = `otel-${randomUUID()}`;
          const reply = await post<{ id: string }>(`${url('order')}/orders`, anOrder(`T${i}`), {
            'x-correlation-id': correlationId,
          });
          expect(reply.status).toBe(transport === 'http' ? 201 : 202);
          return { orderId: reply.body.id, correlationId };
        }),
      );
      await buzzes.waitFor(placed.map(({ orderId }) => orderId));
      return await Promise.all(
        placed.map(async ({ orderId, correlationId }) => {
          const trace = await eventually(`the trace of order ${orderId}`, () => {
            const created = receiver.spans.find(
              (span) =>
                span.name === 'create order.placed' &&
                span.attributes['messaging.message.conversation_id'] === correlationId,
            );
            const spans = created ? receiver.trace(created.traceId) : [];
            // Complete once the pager's buzz and order's request span have been exported.
            const done =
              spans.some((span) => span.service === 'pager' && span.name === 'buzz customer') &&
              spans.some((span) => span.service === 'order' && span.kind === SpanKinds.Server);
            return Promise.resolve(done ? new Trace(spans) : undefined);
          });
          return { orderId, trace };
        }),
      );
    } finally {
      await buzzes.close();
    }
  }

  it('makes each order one trace across every hop, with messaging attributes', async () => {
    const orders = await placeOrders(2);
    expect(new Set(orders.map(({ trace }) => trace.traceId)).size).toBe(2);

    for (const { orderId, trace } of orders) {
      // One trace per order: every span about this order is in it.
      const about = receiver.spans.filter((span) => span.attributes['shop.order.id'] === orderId);
      expect(about.length).toBeGreaterThanOrEqual(3);
      for (const span of about) expect(span.traceId).toBe(trace.traceId);
      expect(new Set(trace.spans.map((span) => span.service))).toEqual(new Set(APPS));
      expect(trace.spans.filter((span) => span.error)).toEqual([]);

      const request = trace.one('order', /^POST/, SpanKinds.Server);
      expect(request.parentSpanId).toBeUndefined(); // the caller sent no traceparent
      expect(request.attributes['http.request.method'] ?? request.attributes['http.method']).toBe(
        'POST',
      );
      const created = trace.one('order', 'create order.placed');
      expect(trace.descends(created, request)).toBe(true);
      const wait = trace.one('barista', 'wait for an espresso machine');
      const brew = trace.one('barista', 'brew coffee');
      const buzz = trace.one('pager', 'buzz customer');
      expect(brew.attributes['shop.order.id']).toBe(orderId);
      expect(buzz.attributes['shop.order.id']).toBe(orderId);

      if (transport === 'http') {
        // order → (undici) → barista's server span → wait, brew; order → pager → buzz.
        const baristaServer = trace.one('barista', /^POST/, SpanKinds.Server);
        const pagerServer = trace.one('pager', /^POST/, SpanKinds.Server);
        for (const server of [baristaServer, pagerServer]) {
          const client = trace.parentOf(server)!;
          expect(client).toMatchObject({ service: 'order', kind: SpanKinds.Client });
          expect(trace.descends(client, request)).toBe(true);
        }
        expect(trace.descends(wait, baristaServer)).toBe(true);
        expect(trace.descends(brew, baristaServer)).toBe(true);
        expect(trace.descends(buzz, pagerServer)).toBe(true);
        // The whole point of sync: the caller's request holds the brew and the buzz.
        expect(request.start).toBeLessThanOrEqual(brew.start);
        expect(brew.end).toBeLessThanOrEqual(request.end);
        expect(buzz.end).toBeLessThanOrEqual(request.end);
      } else {
        // order: request → create → (outbox) → send, linked back to create.
        const send = trace.one('order', 'send order.placed');
        expect(send.parentSpanId).toBe(created.spanId);
        expect(send.links).toEqual([{ traceId: trace.traceId, spanId: created.spanId }]);
        expect(send).toMatchObject({ kind: SpanKinds.Producer });
        for (const span of [created, send]) {
          expect(span.attributes).toMatchObject({
            'messaging.system': 'rabbitmq',
            'messaging.destination.name': 'order.placed',
            'messaging.rabbitmq.destination.routing_key': 'order.placed',
          });
          expect(span.attributes['messaging.message.id']).toEqual(expect.any(String));
        }
        expect(created.attributes['messaging.operation.type']).toBe('create');
        expect(send.attributes['messaging.operation.type']).toBe('send');
        expect(send.attributes['messaging.message.id']).toBe(
          created.attributes['messaging.message.id'],
        );
        // barista consumes it (a process span continuing the AMQP traceparent header), brews.
        const consumed = trace.one('barista', 'process order.placed', SpanKinds.Consumer);
        expect(consumed.parentSpanId).toBe(send.spanId);
        expect(consumed.attributes).toMatchObject({
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'process',
          'messaging.message.id': send.attributes['messaging.message.id'],
        });
        expect(trace.descends(wait, consumed)).toBe(true);
        expect(trace.descends(brew, consumed)).toBe(true);
        // coffee.brewed, sent from inside the brew, reaches the pager, which buzzes.
        const brewedSend = trace.one('barista', 'send coffee.brewed');
        expect(trace.descends(brewedSend, brew)).toBe(true);
        const paged = trace.one('pager', 'process coffee.brewed', SpanKinds.Consumer);
        expect(paged.parentSpanId).toBe(brewedSend.spanId);
        expect(trace.descends(buzz, paged)).toBe(true);
        // order hears brew.started and coffee.brewed in the same trace.
        const heard = trace.spans.filter(
          (span) => span.service === 'order' && span.kind === SpanKinds.Consumer,
        );
        expect(heard).toHaveLength(2);
        // The whole point of async: the 202 is out before the brew starts.
        expect(request.end).toBeLessThanOrEqual(brew.start);
        expect(send.start).toBeGreaterThanOrEqual(created.end);
      }
    }
  });

  it("keeps the trace ids in every app's log lines about the order", async () => {
    const [{ orderId, trace }] = await placeOrders(1);
    for (const app of APPS) {
      const lines = apps
        .get(app)!
        .log.split('\n')
        .filter((line) => line.startsWith('{') && line.includes(orderId))
        .map((line) => JSON.parse(line) as { traceId?: string; trace_id?: string });
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.traceId).toBe(trace.traceId);
    }
  });
});
