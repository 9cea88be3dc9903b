import type { Finding, ScaleOutStep, ScenarioResult, StoreCostSide } from './model';

/** `3.2`, `12`, `1,250`: a figure as the findings say it. */
function n(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return String(Math.round(value * 10) / 10);
}

function summaryOf<K extends 'scaleOut' | 'storeCost'>(
  results: ScenarioResult[],
  scenario: 'scale-out' | 'store-cost',
  key: K,
): ScenarioResult[K] {
  return results.find((r) => r.scenario === scenario && r.variant === 'rmq' && !r.error)?.[key];
}

/** A finding the run did not measure, and what it would need. */
export function missing(id: string, claim: string, what: string): Finding {
  return {
    id,
    claim,
    holds: null,
    figures: {},
    explanation: `Not measured in this run: needs ${what}.`,
  };
}

function stepText(step: ScaleOutStep, cores: number): string {
  const best =
    step.bestRate === null
      ? 'sustained none of the rates tried'
      : `sustained ${n(step.bestRate)}/s`;
  const cpu = step.cost?.machineCpuPercent;
  const at = cpu == null ? '' : ` with the machine at ${n(cpu)} % of ${cores * 100} %`;
  const over =
    step.firstUnsustainable === null
      ? ' (the limit was not reached)'
      : `; ${n(step.firstUnsustainable)}/s was not (${step.overloadWhy ?? '?'}${step.overloadMachineCpuPercent === null ? '' : `, machine at ${n(step.overloadMachineCpuPercent)} %`})`;
  return `x${step.instances} ${best}${at}${over}`;
}

/**
 * Issue 12: more instances of order and barista on one PostgreSQL database sustain a higher rate
 * under rmq, until the machine's cores run out; the finding names where they did.
 */
export function scaleOutFinding(results: ScenarioResult[]): Finding {
  const id = 'more-instances-raise-throughput-until-the-cores-run-out';
  const claim =
    'More instances of order and barista on one PostgreSQL database (rmq) sustain a higher rate than one, until the machine’s cores run out.';
  const summary = summaryOf(results, 'scale-out', 'scaleOut');
  const one = summary?.steps.find((s) => s.instances === 1);
  const more = summary?.steps.filter((s) => s.instances > 1) ?? [];
  if (!summary || !one || more.length === 0)
    return missing(
      id,
      claim,
      'the scale-out scenario (--scenario scale-out) with 1 and more instances',
    );
  const ceiling = summary.saturationShare * summary.cores * 100;
  // Where the cores ran out: the first step whose overload (or best rate) found the machine full.
  const outAt = summary.steps.find(
    (s) =>
      (s.overloadMachineCpuPercent ?? 0) >= ceiling || (s.cost?.machineCpuPercent ?? 0) >= ceiling,
  );
  const figures: Finding['figures'] = { cores: summary.cores };
  for (const step of summary.steps) {
    figures[`x${step.instances}BestRate`] = step.bestRate;
    figures[`x${step.instances}MachineCpuPercent`] = step.cost?.machineCpuPercent ?? null;
    figures[`x${step.instances}OverloadMachineCpuPercent`] = step.overloadMachineCpuPercent;
  }
  figures.coresRunOutAt = outAt?.instances ?? null;
  const best = Math.max(...more.map((s) => s.bestRate ?? 0));
  const scaled = best > (one.bestRate ?? 0);
  const where = outAt
    ? ` The cores ran out at ${outAt.instances} instance(s): the machine was at ${Math.round(summary.saturationShare * 100)} % or more of its ${summary.cores} cores (apps, PostgreSQL, RabbitMQ and the load generator share them), so more instances there only share the same CPU.`
    : ` The machine stayed under ${Math.round(summary.saturationShare * 100)} % of its ${summary.cores} cores at every step.`;
  return {
    id,
    claim,
    holds: scaled,
    figures,
    explanation: `${summary.steps.map((s) => stepText(s, summary.cores)).join('; ')}.${where}${scaled ? '' : ' More instances sustained no higher rate than one.'}`,
  };
}

function sideText(side: StoreCostSide): string {
  const cpu = side.cpuMsPerOrder === null ? 'n/a' : `${n(side.cpuMsPerOrder)} CPU ms`;
  const server =
    side.databaseCpuMsPerOrder === null ? '' : ` (${n(side.databaseCpuMsPerOrder)} in its server)`;
  return `${cpu}${server}, buzz p50 ${n(side.buzzLatency.p50)} / p99 ${n(side.buzzLatency.p99)} ms`;
}

/** Issue 12: what PostgreSQL costs per order against SQLite, measured alternately in one run. */
export function storeCostFinding(results: ScenarioResult[]): Finding {
  const id = 'postgres-costs-more-cpu-per-order-than-sqlite';
  const claim =
    'On one machine an order costs more CPU on PostgreSQL (a server over TCP, shared by every instance) than on SQLite (a file in each process), apps and database server counted.';
  const summary = summaryOf(results, 'store-cost', 'storeCost');
  if (!summary?.sqlite || !summary.postgres)
    return missing(
      id,
      claim,
      'the store-cost scenario (--scenario store-cost) with runs on both stores',
    );
  const { sqlite, postgres } = summary;
  const spread =
    summary.separated === false
      ? ' The runs of the two stores overlap: the difference is within the noise of the shared machine.'
      : '';
  return {
    id,
    claim,
    holds: summary.separated,
    figures: {
      rate: summary.rate,
      sqliteCpuMsPerOrder: sqlite.cpuMsPerOrder,
      postgresCpuMsPerOrder: postgres.cpuMsPerOrder,
      postgresServerCpuMsPerOrder: postgres.databaseCpuMsPerOrder,
      cpuRatio: summary.cpuRatio,
      buzzP50Ratio: summary.buzzP50Ratio,
      buzzP99Ratio: summary.buzzP99Ratio,
      lost: sqlite.lost + postgres.lost,
    },
    explanation:
      `At ${n(summary.rate)} orders/s (${summary.sequence.join(', ')}), an order cost on SQLite ${sideText(sqlite)}; on PostgreSQL ${sideText(postgres)}. ` +
      `PostgreSQL/SQLite: ×${summary.cpuRatio ?? 'n/a'} CPU per order, ×${summary.buzzP50Ratio ?? 'n/a'} buzz p50.${spread}`,
  };
}

export function storeFindings(results: ScenarioResult[]): Finding[] {
  return [scaleOutFinding(results), storeCostFinding(results)];
}
