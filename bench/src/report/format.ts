import type {
  CostFigures,
  LatencySummary,
  ProcessUsage,
  RunResult,
  ServiceMemory,
  ScenarioName,
  ScenarioResult,
  WindowCounts,
} from '../model';
import { FAULT_KINDS, SCENARIOS, VARIANTS } from '../model';

export interface Column {
  readonly title: string;
  readonly run: RunResult;
  readonly result: ScenarioResult;
}

export function ms(value: number): string {
  if (value === 0) return '0';
  if (value < 1) return value.toFixed(2);
  if (value < 10) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function latency(summary: LatencySummary): string {
  if (summary.count === 0) return '-';
  return [summary.p50, summary.p90, summary.p99, summary.max].map(ms).join(' / ');
}

const ROLES = ['order', 'barista', 'pager'] as const;

function byRole(processes: ProcessUsage[], pick: (p: ProcessUsage[]) => number): number[] {
  return ROLES.map((role) => pick(processes.filter((p) => p.role === role)));
}

const sum = (list: ProcessUsage[], key: 'cpuSeconds' | 'cpuPercent') =>
  list.reduce((total, p) => total + p[key], 0);

/** The columns a scenario is shown with: one per variant (and run, or best overhead step). */
export function columnsOf(results: ScenarioResult[], scenario: ScenarioName): Column[] {
  const columns: Column[] = [];
  const ofScenario = results
    .filter((r) => r.scenario === scenario)
    .sort((a, b) => VARIANTS.indexOf(a.variant) - VARIANTS.indexOf(b.variant));
  // Replication and scale-out have tables of their own: their runs are rounds and search steps.
  if (scenario === 'replication' || scenario === 'scale-out') return columns;
  for (const result of ofScenario) {
    if (scenario === 'overhead') {
      for (const system of ['nest', 'baseline'] as const) {
        const best = result.overhead?.[system];
        const step = best
          ? result.steps?.find((s) => s.system === system && s.rate === best.rate && s.sustainable)
          : undefined;
        const fallback = result.steps?.filter((s) => s.system === system)[0];
        const chosen = step ?? fallback;
        if (chosen) {
          const name = system === 'nest' ? 'nest' : 'bare';
          const title = `${result.variant} ${name} @${int(chosen.rate)}/s${step ? '' : ' (not sustainable)'}`;
          columns.push({ title, run: chosen.run, result });
        }
      }
    } else if (scenario === 'faults' || result.runs.length > 1) {
      for (const run of result.runs)
        columns.push({ title: `${result.variant} ${run.label}`, run, result });
    } else if (result.runs[0]) {
      columns.push({ title: result.variant, run: result.runs[0], result });
    }
  }
  if (scenario === 'faults') {
    // Side by side per fault: every variant under the barista kill, then the broker restart.
    const rank = (c: Column) =>
      FAULT_KINDS.findIndex((kind) => c.run.fault?.kind === kind) * VARIANTS.length +
      VARIANTS.indexOf(c.result.variant);
    columns.sort((a, b) => rank(a) - rank(b));
  }
  return columns;
}

export interface Row {
  readonly label: string;
  readonly value: (column: Column) => string;
}

export const ROWS: Row[] = [
  { label: 'offered orders/s', value: (c) => int(c.run.throughput.offeredPerSec) },
  { label: 'sent', value: (c) => int(c.run.counts.sent) },
  { label: 'accepted', value: (c) => int(c.run.counts.accepted) },
  { label: 'failed', value: (c) => int(c.run.counts.failed) },
  {
    label: 'failed: timeout/5xx/refused/other',
    value: (c) => {
      const f = c.run.counts.failedBy;
      return [f.timeout, f['5xx'], f.refused, f.other].map(int).join(' / ');
    },
  },
  { label: 'completed (buzzed)', value: (c) => int(c.run.counts.completed) },
  { label: 'lost', value: (c) => int(c.run.counts.lost) },
  { label: 'duplicated', value: (c) => int(c.run.counts.duplicated) },
  { label: 'client ms p50/p90/p99/max', value: (c) => latency(c.run.clientLatency) },
  { label: 'failed ms p50/p90/p99/max', value: (c) => latency(c.run.failedLatency) },
  { label: 'buzz ms p50/p90/p99/max', value: (c) => latency(c.run.buzzLatency) },
  { label: 'completed/s', value: (c) => int(c.run.throughput.completedPerSec) },
  {
    label: 'barista requests (retries) / failed fast',
    value: (c) => {
      const barista = c.run.downstreamCalls?.barista;
      return barista
        ? `${int(barista.attempts)} (${int(barista.retries)}) / ${int(barista.failedFast)}`
        : '-';
    },
  },
  {
    label: 'peak queue (barista)',
    value: (c) => (c.run.peakQueueDepth ? int(c.run.peakQueueDepth.barista ?? 0) : '-'),
  },
  {
    label: 'CPU s order/barista/pager',
    value: (c) =>
      byRole(c.run.processes, (l) => sum(l, 'cpuSeconds'))
        .map((v) => v.toFixed(1))
        .join(' / '),
  },
  {
    label: 'CPU % order/barista/pager',
    value: (c) =>
      byRole(c.run.processes, (l) => sum(l, 'cpuPercent'))
        .map((v) => Math.round(v).toString())
        .join(' / '),
  },
  {
    label: 'peak RSS MB ord/bar/pag',
    value: (c) =>
      byRole(c.run.processes, (l) => Math.max(0, ...l.map((p) => p.peakRssMb)))
        .map((v) => Math.round(v).toString())
        .join(' / '),
  },
  { label: 'load generator CPU s', value: (c) => c.run.benchCpuSeconds.toFixed(1) },
];

/** accepted / failed / lost of the orders due in one window of a run (outage, fault). */
function windowRow(label: string, pick: (run: RunResult) => WindowCounts | undefined): Row {
  return {
    label,
    value: (c) => {
      const w = pick(c.run);
      return w ? [w.accepted, w.failed, w.lost].map(int).join(' / ') : '-';
    },
  };
}

export const OUTAGE_ROWS: Row[] = [
  {
    label: 'barista down (s)',
    value: (c) => {
      const o = c.run.outage;
      if (!o) return '-';
      const back = o.healthyAtMs ?? o.restartedAtMs;
      return back === null
        ? 'not restarted'
        : `${(o.stoppedAtMs / 1000).toFixed(1)} → ${(back / 1000).toFixed(1)}`;
    },
  },
  {
    label: 'due while down',
    value: (c) => (c.run.outage ? int(c.run.outage.duringOutage.sent) : '-'),
  },
  windowRow('while down: accepted/failed/lost', (run) => run.outage?.duringOutage),
  windowRow('once back: accepted/failed/lost', (run) => run.outage?.afterOutage),
];

const seconds = (ms: number | null) => (ms === null ? '-' : (ms / 1000).toFixed(1));

/** p50 / p99 / max of the clients' waits in a window. */
function waits(summary: LatencySummary): string {
  if (summary.count === 0) return '-';
  return [summary.p50, summary.p99, summary.max].map(ms).join(' / ');
}

export const FAULT_ROWS: Row[] = [
  {
    label: 'fault → healthy again (s)',
    value: (c) => {
      const f = c.run.fault;
      if (!f) return '-';
      return `${seconds(f.injectedAtMs)} → ${f.healthyAtMs === null ? 'never' : seconds(f.healthyAtMs)}`;
    },
  },
  {
    label: 'node taken away → leader after',
    value: (c) => {
      const f = c.run.fault;
      if (!f?.node) return '-';
      return `${f.node} → ${f.leaderAfter ?? '?'}`;
    },
  },
  {
    label: 'client wait ms p50/p99/max before',
    value: (c) => (c.run.fault?.waitBefore ? waits(c.run.fault.waitBefore) : '-'),
  },
  {
    label: 'client wait ms p50/p99/max during fault',
    value: (c) => (c.run.fault?.waitDuring ? waits(c.run.fault.waitDuring) : '-'),
  },
  {
    label: 'due during fault',
    value: (c) => (c.run.fault ? int(c.run.fault.duringFault.sent) : '-'),
  },
  windowRow('during fault: accepted/failed/lost', (run) => run.fault?.duringFault),
  windowRow('once back: accepted/failed/lost', (run) => run.fault?.afterFault),
  {
    label: 'failed by hop',
    value: (c) => {
      const hops = Object.entries(c.run.counts.failedByHop).filter(([, n]) => n > 0);
      return hops.length === 0 ? '0' : hops.map(([hop, n]) => `${hop} ${int(n)}`).join(', ');
    },
  },
  {
    label: 'brewed twice (extra brews)',
    value: (c) => {
      const f = c.run.fault;
      if (!f || f.brewedTwice === null) return 'n/a';
      return `${int(f.brewedTwice)} (${int(f.extraBrews ?? 0)})`;
    },
  },
  {
    label: 'time to recover (s)',
    value: (c) => {
      const f = c.run.fault;
      if (!f) return '-';
      const r = f.recovery.recoverSeconds;
      return r === null ? `not within ${f.recovery.normalShareBySecond.length} s` : int(r);
    },
  },
  {
    label: 'backlog drained after (s)',
    value: (c) => {
      const d = c.run.fault?.recovery.backlogDrainedSeconds;
      return d === null || d === undefined ? '-' : d.toFixed(1);
    },
  },
  {
    label: 'normal = buzzed within (ms)',
    value: (c) => (c.run.fault ? int(c.run.fault.recovery.normalBuzzMs) : '-'),
  },
];

const orDash = (value: number | null | undefined, show: (v: number) => string = ms) =>
  value === null || value === undefined ? '-' : show(value);

/** Before → during (or peak), for the caller-health rows. */
const change = (before: number | null, after: number | null, show = ms) =>
  before === null && after === null ? '-' : `${orDash(before, show)} → ${orDash(after, show)}`;

/** What the fault did to the caller (order) and to the waiting clients. */
export const CALLER_ROWS: Row[] = [
  {
    label: 'clients waited p99 / max (s), due during fault',
    value: (c) => {
      const h = c.run.fault?.callerHealth;
      if (!h || h.clientWaitMaxMs === null) return '-';
      return `${((h.clientWaitP99Ms ?? 0) / 1000).toFixed(1)} / ${(h.clientWaitMaxMs / 1000).toFixed(1)}`;
    },
  },
  {
    label: "order's GET /orders/:id p99 ms before → during",
    value: (c) => {
      const h = c.run.fault?.callerHealth;
      return h ? change(h.getOrderBeforeP99Ms, h.getOrderDuringP99Ms) : '-';
    },
  },
  {
    label: "order's GET /orders p99 ms before → during",
    value: (c) => {
      const h = c.run.fault?.callerHealth;
      return h ? change(h.listOrdersBeforeP99Ms, h.listOrdersDuringP99Ms) : '-';
    },
  },
  {
    label: 'order → barista: peak calls in flight / sockets',
    value: (c) => {
      const h = c.run.fault?.callerHealth;
      if (!h || h.peakBaristaInFlight === null) return '-';
      return `${int(h.peakBaristaInFlight)} / ${orDash(h.peakBaristaSockets, int)}`;
    },
  },
  {
    label: 'order → pager: peak calls in flight / sockets',
    value: (c) => {
      const h = c.run.fault?.callerHealth;
      if (!h || h.peakPagerInFlight === null) return '-';
      return `${int(h.peakPagerInFlight)} / ${orDash(h.peakPagerSockets, int)}`;
    },
  },
  {
    label: "order's RSS MB before → peak",
    value: (c) => {
      const h = c.run.fault?.callerHealth;
      return h ? change(h.orderRssBeforeMb, h.orderRssPeakMb, int) : '-';
    },
  },
  {
    label: "order's event-loop delay p99 ms before → peak",
    value: (c) => {
      const h = c.run.fault?.callerHealth;
      return h ? change(h.eventLoopDelayBeforeMs, h.eventLoopDelayPeakMs) : '-';
    },
  },
  {
    label: 'peak backlog of the hit service (rmq)',
    value: (c) => orDash(c.run.fault?.callerHealth?.peakQueue, int),
  },
  {
    label: 'barista brews / wasted (order not completed)',
    value: (c) => {
      const h = c.run.fault?.callerHealth;
      if (!h || h.brews === null) return '-';
      return `${int(h.brews)} / ${orDash(h.wastedBrews, int)}`;
    },
  },
];

function serviceMemory(c: Column, role: string): string {
  const service = c.run.soak?.services.find((s) => s.service.split('#')[0] === role);
  if (!service) return '-';
  return [service.startMb, service.endMb, service.peakMb].map((v) => Math.round(v)).join(' / ');
}

export const SOAK_ROWS: Row[] = [
  ...(['order', 'barista', 'pager'] as const).map((role) => ({
    label: `RSS MB ${role} start/end/peak`,
    value: (c: Column) => serviceMemory(c, role),
  })),
  {
    label: 'growth after warm-up MB ord/bar/pag',
    value: (c) => {
      const services = c.run.soak?.services ?? [];
      if (services.length === 0) return '-';
      const measure = (s: ServiceMemory) => (s.judgedOn === 'RSS' ? 'RSS' : 'heap');
      return (['order', 'barista', 'pager'] as const)
        .flatMap((role) => services.filter((s) => s.service.split('#')[0] === role))
        .map((s) =>
          s.growthMb === null ? '-' : `${s.growthMb >= 0 ? '+' : ''}${s.growthMb} ${measure(s)}`,
        )
        .join(' / ');
    },
  },
  {
    label: 'memory verdict',
    value: (c) => {
      const flagged = c.run.soak?.flagged;
      return flagged === undefined || flagged === null ? 'not judged' : flagged ? 'GROWS' : 'flat';
    },
  },
];

export const TRACING_ROWS: Row[] = [
  { label: 'tracing', value: (c) => (c.run.tracing ? (c.run.tracing.on ? 'on' : 'off') : '-') },
  {
    label: 'CPU ms per order (all apps)',
    value: (c) => orDash(c.run.tracing?.cpuMsPerOrder, (v) => v.toFixed(2)),
  },
  {
    label: 'orders → traces (complete)',
    value: (c) => {
      const traces = c.run.tracing?.traces;
      return traces
        ? `${int(traces.orders)} → ${int(traces.traces)} (${int(traces.complete)})`
        : '-';
    },
  },
];

/** `1.2 / 0.4 / 0.3`: CPU seconds of the apps, the database server and the load generator. */
export function cpuSplit(cost: CostFigures): string {
  return [cost.appCpuSeconds, cost.databaseCpuSeconds, cost.benchCpuSeconds]
    .map((v) => (v === null ? '-' : v.toFixed(1)))
    .join(' / ');
}

/** `150 of 200`: a CPU share in percent of one core, against all the machine's cores. */
export function ofCores(percent: number | null, cores: number): string {
  return percent === null ? '-' : `${Math.round(percent)} of ${cores * 100}`;
}

const costCell = (c: Column, pick: (cost: CostFigures) => string) =>
  c.run.cost ? pick(c.run.cost) : '-';

/** What a run cost (store-cost): its store, the CPU per order and the machine's CPU. */
export const COST_ROWS: Row[] = [
  { label: 'store', value: (c) => c.run.params.store ?? 'sqlite' },
  {
    label: 'CPU ms per order (apps + database)',
    value: (c) =>
      costCell(c, (cost) => (cost.cpuMsPerOrder === null ? '-' : ms(cost.cpuMsPerOrder))),
  },
  { label: 'CPU s apps / database / load gen', value: (c) => costCell(c, cpuSplit) },
  {
    label: 'shop CPU % (apps, database, load gen)',
    value: (c) => costCell(c, (cost) => ofCores(cost.shopCpuPercent, cost.cores)),
  },
  {
    label: 'machine CPU % (every process)',
    value: (c) => costCell(c, (cost) => ofCores(cost.machineCpuPercent, cost.cores)),
  },
];

export function rowsFor(scenario: ScenarioName): Row[] {
  if (scenario === 'store-cost') return [...COST_ROWS, ...ROWS];
  if (scenario === 'tracing') return [...TRACING_ROWS, ...ROWS];
  if (scenario === 'outage') return [...ROWS.slice(0, 8), ...OUTAGE_ROWS, ...ROWS.slice(8)];
  if (scenario === 'faults')
    return [...ROWS.slice(0, 8), ...FAULT_ROWS, ...CALLER_ROWS, ...ROWS.slice(8)];
  if (scenario === 'soak') return [...ROWS, ...SOAK_ROWS];
  return ROWS;
}

export const SCENARIO_TITLES: Record<ScenarioName, string> = {
  steady: 'steady: a fixed rate for a fixed time',
  outage: 'outage: barista stopped (SIGTERM) partway and started again',
  scale: 'scale: one barista vs three',
  burst: 'burst: a short spike at several times the rate',
  overhead: 'overhead: brew 0, highest sustainable rate, NestJS vs bare baseline',
  faults:
    'faults: barista killed (kill -9), frozen (SIGSTOP) or slowed, pager frozen, RabbitMQ restarted, a cluster node lost, under load',
  replication:
    'replication: what three copies of every message cost (single broker vs 3-node cluster)',
  soak: 'soak: minutes at a steady rate, memory of each service',
  tracing: 'tracing: the steady load with OpenTelemetry off and on, alternating rounds',
  'scale-out':
    'scale-out: 1, 2, 3 instances of order and barista on one PostgreSQL database (rmq, brew 0), highest sustainable rate and the machine’s CPU',
  'store-cost':
    'store-cost: CPU per order and latency, SQLite against PostgreSQL, alternating A B B A (rmq, brew 0)',
};

/** Scenarios present in the results, in canonical order. */
export function scenariosIn(results: ScenarioResult[]): ScenarioName[] {
  return SCENARIOS.filter((name) => results.some((r) => r.scenario === name));
}

export function describePhases(run: RunResult): string {
  return run.params.phases
    .map((p) => `${int(p.rate)}/s × ${(p.durationMs / 1000).toFixed(1)} s`)
    .join(', then ');
}
