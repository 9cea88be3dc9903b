import type {
  BenchResults,
  LatencySummary,
  ScaleOutStep,
  ScaleOutSummary,
  StoreCostSide,
  StoreCostSummary,
} from '../model';
import { rateChart, rateSeries } from './charts';
import { cpuSplit, int, ms, ofCores } from './format';
import type { ChartSpec } from './html';

/** The scale-out summary of the run, if it ran. */
export function scaleOutOf(results: BenchResults): ScaleOutSummary | undefined {
  return results.scenarios.find((r) => r.scenario === 'scale-out' && r.scaleOut)?.scaleOut;
}

/** The store-cost summary of the run, if it ran. */
export function storeCostOf(results: BenchResults): StoreCostSummary | undefined {
  return results.scenarios.find((r) => r.scenario === 'store-cost' && r.storeCost)?.storeCost;
}

/** `1.2 / 3.4 / 8.9`: p50 / p95 / p99 in ms. */
export function p50p95p99(summary: LatencySummary | null): string {
  if (!summary || summary.count === 0) return '-';
  return [summary.p50, summary.p95, summary.p99].map(ms).join(' / ');
}

function bestRate(step: ScaleOutStep): string {
  if (step.bestRate === null)
    return `none (${step.firstUnsustainable === null ? '-' : `${int(step.firstUnsustainable)}/s`} not)`;
  const above =
    step.firstUnsustainable === null
      ? 'limit not reached'
      : `${int(step.firstUnsustainable)}/s not`;
  return `${int(step.bestRate)}/s (${above})`;
}

export function scaleOutHeader(summary: ScaleOutSummary): string[] {
  return ['', ...summary.steps.map((s) => `${s.instances} order + ${s.instances} barista`)];
}

/** One column per instance count: the highest sustainable rate, its latency and its CPU. */
export function scaleOutRows(summary: ScaleOutSummary): string[][] {
  const row = (label: string, value: (s: ScaleOutStep) => string) => [
    label,
    ...summary.steps.map(value),
  ];
  const cost = (s: ScaleOutStep, pick: (c: NonNullable<ScaleOutStep['cost']>) => string) =>
    s.cost ? pick(s.cost) : '-';
  return [
    row('highest sustainable rate (brew 0)', bestRate),
    row('at it: completed/s', (s) => (s.completedPerSec === null ? '-' : int(s.completedPerSec))),
    row('at it: client ms p50/p95/p99', (s) => p50p95p99(s.clientLatency)),
    row('at it: buzz ms p50/p95/p99', (s) => p50p95p99(s.buzzLatency)),
    row('at it: CPU ms per order (apps + database)', (s) =>
      cost(s, (c) => (c.cpuMsPerOrder === null ? '-' : ms(c.cpuMsPerOrder))),
    ),
    row('at it: CPU s apps / database / load gen', (s) => cost(s, cpuSplit)),
    row('at it: shop CPU %', (s) => cost(s, (c) => ofCores(c.shopCpuPercent, c.cores))),
    row('at it: machine CPU %', (s) => cost(s, (c) => ofCores(c.machineCpuPercent, c.cores))),
    row('first rate not sustained: machine CPU %', (s) =>
      ofCores(s.overloadMachineCpuPercent, summary.cores),
    ),
    row('first rate not sustained: why', (s) => s.overloadWhy ?? '-'),
  ];
}

export const SCALE_OUT_TRY_HEADER = [
  'instances',
  'rate/s',
  'sustainable',
  'completed/s',
  'buzz p99 ms',
  'shop CPU %',
  'machine CPU %',
  'verdict',
];

/** Every rate tried, in the order it ran. */
export function scaleOutTryRows(summary: ScaleOutSummary): string[][] {
  return summary.tries.map((t) => [
    String(t.instances),
    int(t.rate),
    t.sustainable ? 'yes' : 'no',
    int(t.completedPerSec),
    ms(t.buzzP99Ms),
    ofCores(t.shopCpuPercent, summary.cores),
    ofCores(t.machineCpuPercent, summary.cores),
    t.why,
  ]);
}

export function scaleOutDefinition(summary: ScaleOutSummary): string {
  return [
    'Each column is a shop of its own on a new PostgreSQL database (rmq, one pager): N order instances, the load client sending each order to the next one in turn (no balancer process on the cores), and N baristas competing for their queue. Brew 0 and machines to spare, so a step is limited by CPU and the store, not by brewing.',
    `Each instance count is searched for its highest sustainable rate as in the overhead scenario (sustainable: none failed, none lost, buzz p99 ≤ ${summary.criteria.buzzP99Ms} ms).`,
    `Shop CPU is the apps, the PostgreSQL server's processes and the load generator; machine CPU is everything /proc/stat counts, other users of the machine included, in percent of one core (${summary.cores} cores: ${summary.cores * 100} %). At or above ${Math.round(summary.saturationShare * 100)} % of all cores the cores have run out, and more instances only share them.`,
  ].join(' ');
}

export function storeCostHeader(): string[] {
  return ['', 'SQLite', 'PostgreSQL', 'PostgreSQL / SQLite'];
}

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a != null && b != null && b > 0 ? `×${(a / b).toFixed(2)}` : '-';

/** SQLite against PostgreSQL, each over its runs. */
export function storeCostRows(summary: StoreCostSummary): string[][] {
  const sides = [summary.sqlite, summary.postgres];
  const row = (
    label: string,
    value: (s: StoreCostSide) => string,
    versus: (sqlite: StoreCostSide, postgres: StoreCostSide) => string = () => '',
  ) => [
    label,
    ...sides.map((s) => (s ? value(s) : '-')),
    summary.sqlite && summary.postgres ? versus(summary.sqlite, summary.postgres) : '-',
  ];
  const num = (v: number | null) => (v === null ? '-' : ms(v));
  return [
    row('runs (orders completed)', (s) => `${s.runs} (${int(s.completed)})`),
    row('lost', (s) => int(s.lost)),
    row(
      'CPU ms per order (apps + database)',
      (s) => num(s.cpuMsPerOrder),
      (a, b) => ratio(b.cpuMsPerOrder, a.cpuMsPerOrder),
    ),
    row(
      'of it: apps',
      (s) => num(s.appCpuMsPerOrder),
      (a, b) => ratio(b.appCpuMsPerOrder, a.appCpuMsPerOrder),
    ),
    row('of it: PostgreSQL server', (s) => num(s.databaseCpuMsPerOrder)),
    row('CPU ms per order by run', (s) => s.cpuMsPerOrderByRun.map(num).join(', ')),
    row(
      'client ms p50/p95/p99',
      (s) => p50p95p99(s.clientLatency),
      (a, b) => ratio(b.clientLatency.p50, a.clientLatency.p50),
    ),
    row(
      'buzz ms p50/p95/p99',
      (s) => p50p95p99(s.buzzLatency),
      (a, b) =>
        `${ratio(b.buzzLatency.p50, a.buzzLatency.p50)} p50, ${ratio(b.buzzLatency.p99, a.buzzLatency.p99)} p99`,
    ),
  ];
}

export function storeCostDefinition(summary: StoreCostSummary): string {
  return [
    `The same rmq shop (one order, one barista, one pager, brew 0) at ${int(summary.rate)} orders/s for ${(summary.durationMs / 1000).toFixed(1)} s, in the order ${summary.sequence.join(', ')}: each run a fresh shop, on SQLite files or on a new PostgreSQL database, so that a drift of the shared machine weighs on both stores.`,
    "CPU per order is the apps' CPU plus the PostgreSQL server's (the backends connected to the shop's database and the server's background processes, read from /proc; the background processes serve every database on the server, so other users' writes count there too), over the run's completed orders. Latencies pool every run's orders.",
  ].join(' ');
}

/** scale-out: the rate searches, and the best rate with the machine's CPU per instance count;
 * store-cost: CPU per order of each run and the pooled latencies. */
export function storeCharts(results: BenchResults, id: () => string): ChartSpec[] {
  const specs: ChartSpec[] = [];
  const scaleOut = scaleOutOf(results);
  if (scaleOut && scaleOut.steps.length > 0) {
    const series = scaleOut.steps.flatMap((step) =>
      rateSeries(
        `x${step.instances}`,
        scaleOut.tries.filter((t) => t.instances === step.instances),
      ),
    );
    specs.push(
      rateChart(
        id(),
        'scale-out',
        'scale-out: completed/s and buzz p99 per offered rate, per instance count (brew 0, PostgreSQL)',
        series,
      ),
    );
    const at = (pick: (s: ScaleOutStep) => number | null) =>
      scaleOut.steps
        .map((s) => ({ x: s.instances, y: pick(s) }))
        .filter((p): p is { x: number; y: number } => p.y !== null);
    specs.push({
      id: id(),
      scenario: 'scale-out',
      title: `scale-out: highest sustainable rate and the machine's CPU per instance count (${scaleOut.cores} cores = ${scaleOut.cores * 100} %)`,
      kind: 'rates',
      xTitle: 'instances of order and of barista',
      yTitle: 'orders/s',
      y2Title: 'CPU % of one core',
      series: [
        { label: 'highest sustainable orders/s', points: at((s) => s.bestRate) },
        {
          label: 'machine CPU % at it',
          points: at((s) => s.cost?.machineCpuPercent ?? null),
          axis: 'y2',
          dashed: true,
        },
        {
          label: 'machine CPU % at the first rate not sustained',
          points: at((s) => s.overloadMachineCpuPercent),
          axis: 'y2',
          dashed: true,
        },
      ],
    });
  }
  const cost = storeCostOf(results);
  const sides = [cost?.sqlite, cost?.postgres].filter((s): s is StoreCostSide => !!s);
  if (cost && sides.length > 0) {
    specs.push({
      id: id(),
      scenario: 'store-cost',
      title: `store-cost: latency percentiles at ${int(cost.rate)} orders/s, every run pooled (ms, from the scheduled send)`,
      kind: 'percentiles',
      yTitle: 'ms (log scale)',
      logarithmic: true,
      labels: ['client p50', 'client p95', 'client p99', 'buzz p50', 'buzz p95', 'buzz p99'],
      bars: sides.map((s) => ({
        label: s.store,
        data: [s.clientLatency, s.buzzLatency].flatMap((l) =>
          [l.p50, l.p95, l.p99].map((v) => Math.max(v, 0.01)),
        ),
      })),
    });
    specs.push({
      id: id(),
      scenario: 'store-cost',
      title: 'store-cost: CPU ms per completed order (apps + database server)',
      kind: 'percentiles',
      yTitle: 'CPU ms per order',
      labels: ['apps', 'PostgreSQL server', 'total'],
      bars: sides.map((s) => ({
        label: s.store,
        data: [s.appCpuMsPerOrder ?? 0, s.databaseCpuMsPerOrder ?? 0, s.cpuMsPerOrder ?? 0],
      })),
    });
  }
  return specs;
}

/** A table of a scenario's own, for every report format. */
export interface ScenarioTable {
  /** Shown above the table; none for the scenario's main table. */
  readonly title?: string;
  readonly header: string[];
  readonly rows: string[][];
}

/** scale-out's and store-cost's own tables (empty for the other scenarios). */
export function storeTables(
  results: BenchResults,
  scenario: string,
  steps = true,
): ScenarioTable[] {
  const scaleOut = scenario === 'scale-out' ? scaleOutOf(results) : undefined;
  if (scaleOut && scaleOut.steps.length > 0) {
    return [
      { header: scaleOutHeader(scaleOut), rows: scaleOutRows(scaleOut) },
      ...(steps
        ? [{ title: 'rates tried', header: SCALE_OUT_TRY_HEADER, rows: scaleOutTryRows(scaleOut) }]
        : []),
    ];
  }
  const cost = scenario === 'store-cost' ? storeCostOf(results) : undefined;
  if (cost && (cost.sqlite || cost.postgres))
    return [{ header: storeCostHeader(), rows: storeCostRows(cost) }];
  return [];
}

/** How scale-out or store-cost is measured, for report.md and report.html. */
export function storeDefinition(results: BenchResults, scenario: string): string | undefined {
  const scaleOut = scenario === 'scale-out' ? scaleOutOf(results) : undefined;
  if (scaleOut) return scaleOutDefinition(scaleOut);
  const cost = scenario === 'store-cost' ? storeCostOf(results) : undefined;
  return cost ? storeCostDefinition(cost) : undefined;
}
