import {
  HUNG_CALLEE_FAULTS,
  NODE_LOSS_FAULTS,
  type BenchResults,
  type FaultKind,
  type FaultSecond,
  type ScenarioName,
} from '../model';
import { RECOVERY_CRITERIA, SOAK_CRITERIA, soakThresholdText } from '../plan';
import { tracingSummaryText } from '../tracing-findings';
import { orderTimelineSeries } from './charts';
import type { ChartSpec, Series } from './html';

/** Short lines under a scenario's table: what was not run and why, and the soak's verdicts. */
export function scenarioRemarks(results: BenchResults, scenario: ScenarioName): string[] {
  const lines: string[] = [];
  for (const result of results.scenarios.filter((r) => r.scenario === scenario)) {
    for (const skipped of result.skipped ?? [])
      lines.push(`${result.variant} ${skipped.label}: ${skipped.reason}`);
    for (const run of result.runs) {
      if (run.soak) lines.push(`${result.variant} memory: ${run.soak.verdict}`);
    }
    if (result.tracing)
      lines.push(`tracing off → on, ${tracingSummaryText(result.variant, result.tracing)}`);
  }
  return lines;
}

const percent = (share: number) => `${Math.round(share * 100)} %`;

/** How the scenario's verdicts are computed, for report.md and report.html. */
export function scenarioDefinitions(scenario: ScenarioName): string | undefined {
  if (scenario === 'faults') {
    const c = RECOVERY_CRITERIA;
    return [
      `Time to recover: an order completes normally when it is accepted and buzzed within max(${c.normalBuzzFloorMs} ms, ${c.normalBuzzFactor} × the buzz p99 of the orders buzzed before the fault) of its scheduled send (the bound is in the row "normal = buzzed within").`,
      `The time after the fault is cut into one-second slots by due time, slot 0 starting at the fault; the shop has recovered at the first slot from which every slot until the end of the load had at least ${percent(c.recoveryShare)} of its orders complete normally, and the figure is that slot's start in whole seconds after the fault.`,
      'So orders refused while a service is down (http) and orders that wait behind a backlog (rmq) both count as not yet recovered.',
      '"Backlog drained after": from the fault to the last buzz of the orders due while it lasted.',
      '"Brewed twice": orders whose CoffeeBrewed event went through the broker with more than one message id (rmq only, watched on a queue of the bench\'s own); "duplicated" counts orders the pager buzzed more than once.',
      'The broker restart is `rabbitmqctl stop_app`, a pause, `start_app`, then waiting for `rabbitmq-diagnostics -q ping` and an AMQP connection; after it the shop is stopped and later scenarios start a fresh one.',
      "Hung and slow callees: `barista-hang` and `pager-hang` freeze the process with SIGSTOP (the kernel still accepts its connections, nothing answers) and resume it with SIGCONT; `barista-slow` multiplies the brew time at run time (barista's FAULT_INJECTION switch). In this scenario order gives barista a shorter timeout than elsewhere, so that the timeout, the retries and the breaker all act while barista does not answer.",
      'While every fault lasts the bench probes the caller, order, four times a second: `GET /orders/:id` and `GET /orders` (they call nobody, so their slowness is order\'s own), its `GET /downstreams` (http: calls in flight and sockets open to each callee), its event-loop delay p99 from /metrics (beyond prom-client\'s 10 ms sampling interval) and its RSS. "Before" is before the fault; "during" from the fault until the callee answered again.',
      '"Clients waited" is from the scheduled send until any answer, for the orders due during the fault. "Wasted" brews are coffees barista brewed during the run for orders that were not completed (their client got a failure).',
    ].join(' ');
  }
  if (scenario === 'tracing') {
    return [
      'Each round runs the same steady load twice against two shops of the same build: one as every other scenario runs it (OpenTelemetry off: the SDK is not even loaded), one with OTEL_EXPORTER_OTLP_ENDPOINT set to an OTLP/HTTP receiver in the bench process (JSON, every span sampled, the SDK default batching: 5 s or 512 spans). The order alternates (off, on; then on, off; ...) so that a drift of the shared machine falls on both sides alike.',
      "CPU per order is the CPU time of order, barista and pager over load and drain, summed over the side's runs, over the orders they completed; the exporter's work in the apps is included, the receiver's (in the bench) is not. Latencies are the median over the rounds of each run's p50 and p99.",
      "One trace per order: each accepted order's trace is the one its `create order.placed` span is in (found by the correlation id the bench sent); it is complete when the pager's `buzz customer` span is in it, and split when a span naming the order (`shop.order.id`) is in another trace.",
    ].join(' ');
  }
  if (scenario === 'soak') {
    const c = SOAK_CRITERIA;
    return [
      `Memory is sampled all along: each process's resident set (RSS), and for the NestJS apps the V8 heap used right after their last major GC, from their /metrics (nodejs_heap_used_after_major_gc_bytes). The first ${percent(c.warmupShare)} of the load is warm-up and not judged.`,
      `A service is judged on its heap after GC where it exposes it and had a major GC after warm-up: that is live objects only, so it grows with a leak but not when V8 merely sizes its heap up (which RSS shows). The bare baseline, or an app without a major GC after warm-up, is judged on RSS.`,
      `The level after warm-up is the median over the next ${percent(c.windowShare)} of the load, the level at the end the median over its last ${percent(c.windowShare)}; a service grows when the end level exceeds the level after warm-up by more than a floor and by more than ${percent(c.growthShare)} of that level: ${soakThresholdText(c, 'heap after GC')} of heap after GC, ${soakThresholdText(c)} of RSS.`,
      `Runs with less than ${c.minJudgedMs / 1000} s of load after warm-up are not judged.`,
      'Growth per order (KB) divides the growth by the orders completed between the two windows: the apps keep their orders, brews and buzzes in SQLite files, not in memory, so memory that keeps growing with the orders points to a leak.',
    ].join(' ');
  }
  return undefined;
}

const FAULT_WINDOWS: Record<FaultKind, string> = {
  barista: 'barista killed → healthy',
  'barista-hang': 'barista frozen (SIGSTOP → SIGCONT)',
  'barista-slow': 'barista brewing slowly',
  'pager-hang': 'pager frozen (SIGSTOP → SIGCONT)',
  broker: 'broker down → up',
  'broker-node-loss': 'node stopped (stop_app → start_app)',
  'broker-node-kill': 'node killed (kill -9 → booted)',
};

type Pick = (point: FaultSecond) => number | null | undefined;

/** A line of the series where the figure exists; none at all when it never does (rmq's gauges). */
function line(series: FaultSecond[], label: string, pick: Pick, more: Partial<Series> = {}) {
  const points = series
    .map((p) => ({ x: p.second, y: pick(p) }))
    .filter((p): p is { x: number; y: number } => typeof p.y === 'number');
  return points.length === 0 ? [] : [{ label, points, ...more }];
}

type LineSpec = readonly [string, Pick, Partial<Series>?];
const Y2: Partial<Series> = { axis: 'y2' };
const Y2_DASHED: Partial<Series> = { axis: 'y2', dashed: true };

const CLIENT_LINES: LineSpec[] = [
  ['accepted', (p) => p.accepted],
  ['failed', (p) => p.failed],
  ['completed (buzzed)', (p) => p.completed],
  ['clients waiting for an answer', (p) => p.awaitingAnswer, { dashed: true }],
  ['wait p99 of orders due (ms)', (p) => p.clientP99Ms, Y2],
  ['wait max of orders due (ms)', (p) => p.clientMaxMs, Y2_DASHED],
];

const CALLER_LINES: LineSpec[] = [
  ['GET /orders/:id, slowest (ms)', (p) => p.getOrderMs],
  ['GET /orders, slowest (ms)', (p) => p.listOrdersMs],
  ['event-loop delay p99 (ms)', (p) => p.eventLoopDelayMs, { dashed: true }],
  ['calls in flight to barista', (p) => p.baristaInFlight, Y2],
  ['sockets open to barista', (p) => p.baristaSockets, Y2_DASHED],
  ['calls in flight to pager', (p) => p.pagerInFlight, Y2],
  ['barista queue (rmq)', (p) => p.baristaQueue, Y2],
  ['pager queue (rmq)', (p) => p.pagerQueue, Y2],
  ['order RSS (MB)', (p) => p.orderRssMb, Y2_DASHED],
];

/**
 * Two charts per hung or slowed callee: what the clients saw (orders answered per second, how
 * many still waited, how long the orders due each second waited), and what the caller (order)
 * went through (its unrelated endpoints' latency, its event-loop delay, the calls and sockets it
 * held open to the callee, the callee's backlog under rmq).
 */
export function cascadeCharts(
  title: string,
  series: FaultSecond[],
  window: { from: number; to: number; label: string },
  id: () => string,
): ChartSpec[] {
  const lines = (specs: LineSpec[]) =>
    specs.flatMap(([label, pick, more]) => line(series, label, pick, more));
  const clients = lines(CLIENT_LINES);
  const caller = lines(CALLER_LINES);
  return [
    {
      id: id(),
      scenario: 'faults',
      title: `cascade, ${title}: what the clients saw, per second (shaded: ${window.label})`,
      kind: 'timeline',
      xTitle: 'seconds since load start',
      yTitle: 'orders',
      y2Title: 'ms waited',
      series: clients,
      window,
    },
    {
      id: id(),
      scenario: 'faults',
      title: `caller health, ${title}: order's own endpoints and what it holds open (shaded: ${window.label})`,
      kind: 'timeline',
      xTitle: 'seconds since load start',
      yTitle: 'ms',
      y2Title: 'calls, sockets, messages, MB',
      series: caller,
      window,
    },
  ];
}

/** The faults timelines (orders per second, the fault shaded, recovery marked) and soak memory. */
export function resilienceCharts(results: BenchResults, id: () => string): ChartSpec[] {
  const specs: ChartSpec[] = [];
  for (const result of results.scenarios.filter((r) => r.scenario === 'faults')) {
    for (const run of result.runs) {
      const fault = run.fault;
      if (!fault) continue;
      const series = orderTimelineSeries(run);
      const injected = (fault.injectedAtMs ?? 0) / 1000;
      const recovered = fault.recovery.recoverSeconds;
      if (recovered !== null) {
        const top = Math.max(1, ...run.timeline.map((p) => Math.max(p.accepted, p.completed)));
        series.push({
          label: `recovered (+${recovered} s)`,
          points: [
            { x: injected + recovered, y: 0 },
            { x: injected + recovered, y: top },
          ],
          dashed: true,
        });
      }
      const back = fault.healthyAtMs ?? fault.restartedAtMs ?? fault.injectedAtMs ?? 0;
      const what = FAULT_WINDOWS[fault.kind];
      specs.push({
        id: id(),
        scenario: 'faults',
        title: `faults timeline, ${result.variant} ${run.label}: orders per second (shaded: ${what})`,
        kind: 'timeline',
        xTitle: 'seconds since load start',
        yTitle: 'orders/s',
        y2Title: series.some((s) => s.axis === 'y2') ? 'messages in queue' : undefined,
        series,
        window: { from: injected, to: back / 1000, label: what },
      });
      const perSecond =
        HUNG_CALLEE_FAULTS.includes(fault.kind) || NODE_LOSS_FAULTS.includes(fault.kind);
      if (perSecond && fault.series) {
        const window = { from: injected, to: back / 1000, label: what };
        const title = `${result.variant} ${run.label}`;
        specs.push(...cascadeCharts(title, fault.series, window, id));
      }
    }
  }
  for (const result of results.scenarios.filter((r) => r.scenario === 'soak')) {
    const soak = result.runs[0]?.soak;
    if (!soak) continue;
    specs.push({
      id: id(),
      scenario: 'soak',
      title: `soak memory, ${result.variant}: RSS of each service, dashed: heap after major GC (MB; shaded: warm-up, not judged)`,
      kind: 'timeline',
      xTitle: 'seconds since load start',
      yTitle: 'MB',
      series: soak.services.flatMap((service) => [
        {
          label: `${service.service} RSS`,
          points: service.series.map((p) => ({ x: p.atMs / 1000, y: p.rssMb })),
        },
        ...(service.heapSeries
          ? [
              {
                label: `${service.service} heap after GC`,
                points: service.heapSeries.map((p) => ({ x: p.atMs / 1000, y: p.heapMb })),
                dashed: true,
              },
            ]
          : []),
      ]),
      window: { from: 0, to: soak.warmupMs / 1000, label: 'warm-up' },
      fromZero: false,
    });
  }
  return specs;
}
