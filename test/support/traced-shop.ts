import { OtlpReceiver, type ReceivedSpan, SpanKinds } from '@app/telemetry';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Broker } from './amqp';
import { anOrder, BuzzListener, eventually, post } from './client';
import { SHOP_APPS, type ShopApp, type SpawnedApp, spawnShop } from './spawned-app';

export const TRACED_APPS = SHOP_APPS;
export type TracedApp = ShopApp;

/** One order's trace as the receiver got it, with ways to walk it. */
export class Trace {
  constructor(readonly spans: ReceivedSpan[]) {}

  get traceId(): string {
    return this.spans[0].traceId;
  }

  /** The one span named `name` (or matching it) in `service`; fails if there is not exactly one. */
  one(service: TracedApp, name: string | RegExp, kind?: number): ReceivedSpan {
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

export interface TracedOrder {
  readonly orderId: string;
  readonly trace: Trace;
}

/**
 * The three apps as processes with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT only, as a user would
 * turn it on), exporting to an OTLP/HTTP receiver started here, on a namespace of their own. Used
 * by the e2e trace test and by `npm run trace:render`.
 */
export class TracedShop {
  readonly apps = new Map<TracedApp, SpawnedApp>();

  private constructor(
    readonly transport: 'http' | 'rmq',
    readonly receiver: OtlpReceiver,
    private readonly namespace: string,
    private readonly dataDir: string,
  ) {}

  static async start(
    transport: 'http' | 'rmq',
    { brewMs = 50, readyMs = 150_000 } = {},
  ): Promise<TracedShop> {
    const receiver = await OtlpReceiver.start();
    const namespace = `otel-${randomUUID().slice(0, 8)}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'otel-shop-'));
    const shop = new TracedShop(transport, receiver, namespace, dataDir);
    try {
      const env = { BREW_MS: String(brewMs), ...receiver.env() };
      for (const [app, spawned] of await spawnShop(transport, { namespace, dataDir, env })) {
        shop.apps.set(app, spawned);
      }
      // Three processes loading the SDK at once on a shared machine: a generous start-up.
      await Promise.all([...shop.apps.values()].map((app) => app.ready(readyMs)));
    } catch (error) {
      await shop.close();
      throw error;
    }
    return shop;
  }

  url(app: TracedApp): string {
    return this.apps.get(app)!.url;
  }

  /** Places `count` orders at once, waits for their buzzes and for each one's whole trace. */
  async placeOrders(count: number): Promise<TracedOrder[]> {
    const accepted = this.transport === 'http' ? 201 : 202;
    const buzzes = await BuzzListener.follow(this.url('pager'));
    try {
      const placed = await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const correlationId = `otel-${randomUUID()}`;
          const reply = await post<{ id: string }>(
            `${this.url('order')}/orders`,
            anOrder(`T${i}`),
            {
              'x-correlation-id': correlationId,
            },
          );
          if (reply.status !== accepted) {
            throw new Error(`POST /orders answered ${reply.status}, not ${accepted}`);
          }
          return { orderId: reply.body.id, correlationId };
        }),
      );
      await buzzes.waitFor(placed.map(({ orderId }) => orderId));
      return await Promise.all(
        placed.map(async ({ orderId, correlationId }) => ({
          orderId,
          trace: await this.traceOf(orderId, correlationId),
        })),
      );
    } finally {
      await buzzes.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.apps.values()].map((app) => app.stop()));
    if (this.transport === 'rmq') {
      const broker = await Broker.connect();
      await broker.deleteNamespace(this.namespace).catch(() => undefined);
      await broker.close();
    }
    await this.receiver.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /**
   * The order's trace once all of it has been exported: the pager's buzz and order's request
   * span are in, no span's parent is missing, and under rmq every delivery's process span is in
   * (barista's, pager's and order's two). A process span ends only once its delivery is settled,
   * so it may reach the receiver in a later batch than the spans inside it.
   */
  private traceOf(orderId: string, correlationId: string): Promise<Trace> {
    const consumers = this.transport === 'rmq' ? 4 : 0;
    return eventually(`the trace of order ${orderId}`, () => {
      const created = this.receiver.spans.find(
        (span) =>
          span.name === 'create order.placed' &&
          span.attributes['messaging.message.conversation_id'] === correlationId,
      );
      const spans = created ? this.receiver.trace(created.traceId) : [];
      const ids = new Set(spans.map((span) => span.spanId));
      const done =
        spans.some((span) => span.service === 'pager' && span.name === 'buzz customer') &&
        spans.some((span) => span.service === 'order' && span.kind === SpanKinds.Server) &&
        spans.every((span) => !span.parentSpanId || ids.has(span.parentSpanId)) &&
        spans.filter((span) => span.kind === SpanKinds.Consumer).length === consumers;
      return Promise.resolve(done ? new Trace(spans) : undefined);
    });
  }
}
