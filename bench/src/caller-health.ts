import { setTimeout as sleep } from 'node:timers/promises';
import pidusage from 'pidusage';
import { Pool } from 'undici';
import type { CallerHealthPoint } from './model';
import { gaugeValue } from './processes';

/** One probe of one of order's endpoints that call nobody: when it started and how long it took. */
export interface ProbeSample {
  readonly at: number;
  readonly ms: number;
  readonly ok: boolean;
}

/** One reading of order's gauges: what it holds open towards each callee, memory, event loop. */
export interface GaugeSample {
  readonly at: number;
  readonly baristaInFlight: number | null;
  readonly baristaSockets: number | null;
  readonly pagerInFlight: number | null;
  readonly pagerSockets: number | null;
  readonly rssMb: number | null;
  readonly eventLoopDelayMs: number | null;
}

export interface CallerHealthSamples {
  readonly getOrder: ProbeSample[];
  readonly listOrders: ProbeSample[];
  readonly gauges: GaugeSample[];
}

/** prom-client samples the event loop every 10 ms: its delays include that interval. */
const LOOP_MONITOR_MS = 10;
const PROBE_TIMEOUT_MS = 5000;

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The event-loop delay (ms beyond the monitoring interval) in one /metrics exposition. */
export function eventLoopDelayMs(exposition: string): number | null {
  const p99 = gaugeValue(exposition, 'nodejs_eventloop_lag_p99_seconds');
  return p99 === null ? null : round1(Math.max(0, p99 * 1000 - LOOP_MONITOR_MS));
}

type Downstreams = Record<string, { inFlight?: unknown; sockets?: unknown } | undefined>;

const gauge = (view: Downstreams | null, hop: string, name: 'inFlight' | 'sockets') => {
  const value = view?.[hop]?.[name];
  return typeof value === 'number' ? value : null;
};

/**
 * Watches the caller (order) while a fault hits a callee: every `intervalMs` it times
 * `GET /orders/:id` and `GET /orders` (endpoints that call neither barista nor pager, so any
 * slowness there is order's own), and reads order's `GET /downstreams` (http: calls in flight and
 * sockets open per callee), its `/metrics` (event-loop delay) and its resident memory. Its own
 * small connection pool keeps the probes out of the load client's queue.
 */
export class CallerHealthSampler {
  private readonly pool: Pool;
  private readonly samples: CallerHealthSamples = { getOrder: [], listOrders: [], gauges: [] };
  private readonly pending = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly wake = new AbortController();
  private orderId: string | undefined;

  constructor(
    private readonly orderUrl: string,
    private readonly orderPid: number | undefined,
    private readonly intervalMs = 250,
  ) {
    this.pool = new Pool(orderUrl, {
      connections: 8,
      headersTimeout: PROBE_TIMEOUT_MS,
      bodyTimeout: PROBE_TIMEOUT_MS,
    });
  }

  /** Finds an order to read back (the warm-up placed some), then samples until `stop`. */
  async start(): Promise<void> {
    const list = await this.json<{ orders?: { id?: unknown }[] }>('/orders?limit=1');
    const id = list?.orders?.[0]?.id;
    this.orderId = typeof id === 'string' ? id : undefined;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      // Not awaited: a probe that hangs must not delay the next tick, or a stall would hide.
      const tick = this.tick().catch(() => undefined);
      this.pending.add(tick);
      void tick.finally(() => this.pending.delete(tick));
      await sleep(this.intervalMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
    }
  }

  private async tick(): Promise<void> {
    await Promise.all([
      this.orderId
        ? this.probe(`/orders/${this.orderId}`, this.samples.getOrder)
        : Promise.resolve(),
      this.probe('/orders?limit=20', this.samples.listOrders),
      this.readGauges(),
    ]);
  }

  private async probe(path: string, into: ProbeSample[]): Promise<void> {
    const at = performance.now();
    let ok = false;
    try {
      const response = await this.pool.request({
        method: 'GET',
        path,
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.body.text();
      ok = response.statusCode === 200;
    } catch {
      ok = false;
    }
    into.push({ at, ms: round1(performance.now() - at), ok });
  }

  private async readGauges(): Promise<void> {
    const at = performance.now();
    const [downstreams, metrics, rssMb] = await Promise.all([
      this.json<Downstreams>('/downstreams'),
      this.text('/metrics'),
      this.rss(),
    ]);
    this.samples.gauges.push({
      at,
      baristaInFlight: gauge(downstreams, 'barista', 'inFlight'),
      baristaSockets: gauge(downstreams, 'barista', 'sockets'),
      pagerInFlight: gauge(downstreams, 'pager', 'inFlight'),
      pagerSockets: gauge(downstreams, 'pager', 'sockets'),
      rssMb,
      eventLoopDelayMs: metrics === null ? null : eventLoopDelayMs(metrics),
    });
  }

  private async rss(): Promise<number | null> {
    if (this.orderPid === undefined) return null;
    try {
      return round1((await pidusage(this.orderPid)).memory / 1024 / 1024);
    } catch {
      return null;
    }
  }

  private async text(path: string): Promise<string | null> {
    try {
      const response = await this.pool.request({
        method: 'GET',
        path,
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      const body = await response.body.text();
      return response.statusCode === 200 ? body : null;
    } catch {
      return null;
    }
  }

  private async json<T>(path: string): Promise<T | null> {
    const body = await this.text(path);
    try {
      return body === null ? null : (JSON.parse(body) as T);
    } catch {
      return null;
    }
  }

  async stop(): Promise<CallerHealthSamples> {
    this.stopping = true;
    this.wake.abort();
    await this.loop;
    await Promise.allSettled([...this.pending]);
    await this.pool.destroy().catch(() => undefined);
    return this.samples;
  }
}

const maxOf = (values: number[]): number | null =>
  values.length === 0 ? null : Math.max(...values);

/** The samples cut into seconds from `origin` (absolute): the worst of each second. */
export function healthBySecond(
  samples: CallerHealthSamples,
  origin: number,
  seconds: number,
): CallerHealthPoint[] {
  const inSecond = <T extends { at: number }>(list: T[], s: number) =>
    list.filter((x) => x.at >= origin + s * 1000 && x.at < origin + (s + 1) * 1000);
  const worst = (list: GaugeSample[], pick: (g: GaugeSample) => number | null) =>
    maxOf(list.map(pick).filter((v): v is number => v !== null));
  return Array.from({ length: seconds }, (_, s) => {
    const get = inSecond(samples.getOrder, s);
    const list = inSecond(samples.listOrders, s);
    const gauges = inSecond(samples.gauges, s);
    return {
      getOrderMs: maxOf(get.map((p) => p.ms)),
      listOrdersMs: maxOf(list.map((p) => p.ms)),
      probeFailures: [...get, ...list].filter((p) => !p.ok).length,
      baristaInFlight: worst(gauges, (g) => g.baristaInFlight),
      baristaSockets: worst(gauges, (g) => g.baristaSockets),
      pagerInFlight: worst(gauges, (g) => g.pagerInFlight),
      pagerSockets: worst(gauges, (g) => g.pagerSockets),
      orderRssMb: worst(gauges, (g) => g.rssMb),
      eventLoopDelayMs: worst(gauges, (g) => g.eventLoopDelayMs),
    };
  });
}
