import type { BenchResults, ReplicationFigures, ReplicationSummary } from '../model';
import { int, latency, ms } from './format';
import { rateChart, rateSeries } from './charts';
import type { ChartSpec } from './html';

/** The replication scenario's summary of the run, if it ran. */
export function replicationOf(results: BenchResults): ReplicationSummary | undefined {
  return results.scenarios.find((r) => r.scenario === 'replication' && r.replication)?.replication;
}

const signed = (value: number, unit: string) =>
  `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}${unit}`;

/** `+3.1 ms (×1.8)`: how much more than the reference a latency is. */
export function moreThan(value: number, reference: number): string {
  const ratio = reference > 0 ? ` (×${(value / reference).toFixed(1)})` : '';
  return `${signed(value - reference, ' ms')}${ratio}`;
}

/** `−40 %`: a rate against the reference rate. */
export function rateChange(value: number, reference: number): string {
  if (reference <= 0) return '-';
  const change = Math.round(((value - reference) / reference) * 100);
  return `${change >= 0 ? '+' : '−'}${Math.abs(change)} %`;
}

function bestRate(figures: ReplicationFigures): string {
  if (!figures.best) return `none (${int(figures.firstUnsustainable ?? 0)}/s not)`;
  const above =
    figures.firstUnsustainable === null
      ? 'limit not reached'
      : `${int(figures.firstUnsustainable)}/s not`;
  return `${int(figures.best.rate)}/s (${above})`;
}

/** Rows of the replication table: one column per broker set-up. */
export function replicationRows(summary: ReplicationSummary): string[][] {
  const systems = summary.systems;
  const reference = systems.find((s) => s.broker === 'single');
  const row = (label: string, value: (s: ReplicationFigures) => string) => [
    label,
    ...systems.map(value),
  ];
  const rows = [
    row(
      'copies of each message',
      (s) => `${s.replicas}${s.broker === 'cluster' ? ' of 3 nodes' : ''}`,
    ),
    row('fixed-rate rounds', (s) => `${s.rounds} × ${int(s.rate)}/s`),
    row('sent / failed / lost', (s) => [s.sent, s.failed, s.lost].map(int).join(' / ')),
    row('client ms p50/p90/p99/max', (s) => latency(s.clientLatency)),
    row('buzz ms p50/p90/p99/max', (s) => latency(s.buzzLatency)),
    row('client p99 ms by round', (s) => s.clientP99ByRound.map(ms).join(', ') || '-'),
    row('buzz p99 ms by round', (s) => s.buzzP99ByRound.map(ms).join(', ') || '-'),
    row('highest sustainable rate (brew 0)', bestRate),
    row('at it: buzz p99 ms', (s) => (s.best ? ms(s.best.buzzP99Ms) : '-')),
  ];
  if (reference) {
    const vs = (label: string, value: (s: ReplicationFigures) => string) =>
      row(label, (s) => (s === reference ? 'reference' : value(s)));
    rows.push(
      vs(`buzz p50 vs ${reference.name}`, (s) =>
        moreThan(s.buzzLatency.p50, reference.buzzLatency.p50),
      ),
      vs(`buzz p99 vs ${reference.name}`, (s) =>
        moreThan(s.buzzLatency.p99, reference.buzzLatency.p99),
      ),
      vs(`client p99 vs ${reference.name}`, (s) =>
        moreThan(s.clientLatency.p99, reference.clientLatency.p99),
      ),
      vs(`highest rate vs ${reference.name}`, (s) =>
        s.best && reference.best ? rateChange(s.best.rate, reference.best.rate) : '-',
      ),
    );
  }
  return rows;
}

export function replicationHeader(summary: ReplicationSummary): string[] {
  return ['', ...summary.systems.map((s) => s.name)];
}

/** The search's steps, one row each, in the order they ran. */
export function replicationStepRows(summary: ReplicationSummary): string[][] {
  return summary.steps.map((step) => [
    step.system,
    int(step.rate),
    step.sustainable ? 'yes' : 'no',
    int(step.sent),
    int(step.failed),
    int(step.lost),
    int(step.completedPerSec),
    ms(step.clientP99Ms),
    ms(step.buzzP99Ms),
    step.why,
  ]);
}

export const REPLICATION_STEP_HEADER = [
  'system',
  'rate/s',
  'sustainable',
  'sent',
  'failed',
  'lost',
  'completed/s',
  'client p99 ms',
  'buzz p99 ms',
  'verdict',
];

/** How the scenario is measured, for report.md and report.html. */
export function replicationDefinition(summary: ReplicationSummary): string {
  return [
    `Each broker set-up runs its own shop (the NestJS apps with AMQP_QUEUE_TYPE set): "single" is the machine's own RabbitMQ, "cluster" the local 3-node cluster the bench starts (tools/rabbitmq-cluster), the apps given all three nodes.`,
    `Brew ${summary.brewMs} ms, so the latency left is the messaging's: order's outbox relay publishing with confirms, barista, pager. The fixed-rate rounds alternate between the set-ups in a rotating order, so that a machine slowing down meanwhile weighs on each alike; latencies are pooled over every round's orders.`,
    `The highest sustainable rate is searched step by step as in the overhead scenario (sustainable: none failed, none lost, buzz p99 ≤ ${summary.criteria.buzzP99Ms} ms), the steps interleaved across the set-ups.`,
    "The broker nodes, the apps and the load generator all share this machine's cores: the cluster's two extra nodes cost CPU here that separate hosts would not, and the network between them is loopback.",
  ].join(' ');
}

/** Pooled percentiles per set-up, and completed/s and buzz p99 per offered rate of the search. */
export function replicationCharts(results: BenchResults, id: () => string): ChartSpec[] {
  const summary = replicationOf(results);
  if (!summary || summary.systems.length === 0) return [];
  const specs: ChartSpec[] = [
    {
      id: id(),
      scenario: 'replication',
      title: `replication: latency percentiles at ${int(summary.rate)} orders/s, every round pooled (ms, from the scheduled send)`,
      kind: 'percentiles',
      yTitle: 'ms (log scale)',
      logarithmic: true,
      labels: ['client p50', 'client p90', 'client p99', 'buzz p50', 'buzz p90', 'buzz p99'],
      bars: summary.systems.map((s) => ({
        label: s.name,
        data: [s.clientLatency, s.buzzLatency].flatMap((l) =>
          [l.p50, l.p90, l.p99].map((v) => Math.max(v, 0.01)),
        ),
      })),
    },
  ];
  const series = summary.systems.flatMap((system) =>
    rateSeries(
      system.name,
      summary.steps.filter((step) => step.system === system.name),
    ),
  );
  if (series.length > 0) {
    const title = 'replication: completed/s and buzz p99 per offered rate (brew 0)';
    specs.push(rateChart(id(), 'replication', title, series));
  }
  return specs;
}
