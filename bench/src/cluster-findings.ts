import {
  NODE_LOSS_FAULTS,
  type Finding,
  type LatencySummary,
  type ReplicationFigures,
  type RunResult,
  type ScenarioResult,
} from './model';

/** `3.2`, `12`, `1,250`: a figure as the findings say it. */
function n(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return String(Math.round(value * 10) / 10);
}

function nodeLossRuns(results: ScenarioResult[]): RunResult[] {
  return results
    .filter((r) => r.scenario === 'faults' && r.variant === 'rmq' && !r.error)
    .flatMap((r) => r.runs)
    .filter((run) => run.fault && NODE_LOSS_FAULTS.includes(run.fault.kind));
}

function waits(summary: LatencySummary | undefined): string {
  return summary && summary.count > 0 ? `p50 ${n(summary.p50)} / p99 ${n(summary.p99)} ms` : 'n/a';
}

/** One node-loss run in words: what was done and what became of the orders. */
export function describeNodeLoss(run: RunResult): string {
  const f = run.fault;
  if (!f) return run.label;
  const c = run.counts;
  const recovered =
    f.recovery.recoverSeconds === null
      ? 'did not recover within the load'
      : `completed orders normally again ${f.recovery.recoverSeconds} s after the fault`;
  const leader =
    f.node && f.leaderAfter && f.leaderAfter !== f.node
      ? `, barista's queue then led by ${f.leaderAfter}`
      : '';
  return (
    `${run.params.queueType ?? '?'} queues, ${f.action}: ${n(c.accepted)} of ${n(c.sent)} orders accepted, ` +
    `${n(c.lost)} lost, ${n(c.duplicated)} buzzed twice, ${f.brewedTwice ?? 'n/a'} brewed twice; ` +
    `the clients waited ${waits(f.waitDuring)} for their answer during the fault (${waits(f.waitBefore)} before); ` +
    `${recovered}${leader}`
  );
}

/**
 * Issue 11's promise: with quorum queues on three nodes, losing the node that leads a queue loses
 * no accepted order and handles none twice. Classic queues are reported beside it for contrast.
 */
export function nodeLossFinding(results: ScenarioResult[]): Finding {
  const id = 'broker-node-loss-quorum-loses-nothing';
  const claim =
    "On the 3-node cluster with quorum queues, losing the node that leads barista's queue (stop_app, or kill -9) under load loses no accepted order and brews or buzzes none twice.";
  const runs = nodeLossRuns(results);
  const quorum = runs.filter((run) => run.params.queueType === 'quorum');
  const classic = runs.filter((run) => run.params.queueType === 'classic');
  const skipped = results
    .filter((r) => r.scenario === 'faults' && r.variant === 'rmq')
    .flatMap((r) => r.skipped ?? [])
    .filter((s) => s.label.startsWith('broker-node'));
  if (quorum.length === 0) {
    return {
      id,
      claim,
      holds: null,
      figures: {},
      explanation:
        skipped.length > 0
          ? `Not measured: ${skipped.map((s) => `${s.label} ${s.reason}`).join('; ')}.`
          : 'Not measured in this run: needs the faults scenario under rmq with --faults broker-node-loss (or broker-node-kill).',
    };
  }
  const figures: Finding['figures'] = {};
  for (const run of runs) {
    const key = run.label.replace(/[-\s]+(\w)/g, (_, c: string) => c.toUpperCase());
    figures[`${key}Accepted`] = run.counts.accepted;
    figures[`${key}Lost`] = run.counts.lost;
    figures[`${key}Duplicated`] = run.counts.duplicated;
    figures[`${key}BrewedTwice`] = run.fault?.brewedTwice ?? null;
    figures[`${key}RecoverSeconds`] = run.fault?.recovery.recoverSeconds ?? null;
    figures[`${key}WaitDuringP99Ms`] = run.fault?.waitDuring?.p99 ?? null;
  }
  const clean = (run: RunResult) =>
    run.counts.accepted > 0 &&
    run.counts.lost === 0 &&
    run.counts.duplicated === 0 &&
    (run.fault?.brewedTwice ?? 0) === 0;
  const contrast =
    classic.length > 0 ? ` For contrast, ${classic.map(describeNodeLoss).join('; ')}.` : '';
  return {
    id,
    claim,
    holds: quorum.every(clean),
    figures,
    explanation: `${quorum.map(describeNodeLoss).join('; ')}.${contrast}`,
  };
}

/** The accept latency may grow this much with replication before the finding says it did. */
export const ACCEPT_TOLERANCE = { factor: 2, ms: 5 } as const;

/** Whether `value` stays within the tolerance of `reference` (max of ×factor and +ms). */
export function withinTolerance(value: number, reference: number): boolean {
  return value <= Math.max(reference * ACCEPT_TOLERANCE.factor, reference + ACCEPT_TOLERANCE.ms);
}

function rateText(s: ReplicationFigures): string {
  if (!s.best) return `${s.name} none of the rates tried`;
  return `${s.name} ${n(s.best.rate)}/s${s.best.limitNotReached ? ' (or more: the highest rate tried)' : ''}`;
}

/**
 * The cost of replication in steady state, in plain words: three copies of every message (quorum
 * queues on 3 nodes) against one (classic on the single broker). The claim is the design's: the
 * client's 202 means "stored" and does not wait for the broker, so replication should cost
 * delivery latency and throughput, not accept latency.
 */
export function replicationFinding(results: ScenarioResult[]): Finding {
  const id = 'replication-costs-delivery-not-accept';
  const claim = `Three copies of every message (quorum queues on a 3-node cluster) leave the client's accept latency where one copy on the single broker has it (p99 within ×${ACCEPT_TOLERANCE.factor} or +${ACCEPT_TOLERANCE.ms} ms); the extra safety is paid in delivery: the buzz latency and the highest sustainable rate.`;
  const summary = results.find((r) => r.scenario === 'replication' && r.replication)?.replication;
  const single = summary?.systems.find((s) => s.broker === 'single');
  const quorum = summary?.systems.find((s) => s.broker === 'cluster' && s.queueType === 'quorum');
  if (!summary || !single || !quorum || single.rounds === 0 || quorum.rounds === 0) {
    const why = summary?.skipped?.map((s) => `${s.system}: ${s.reason}`).join('; ');
    return {
      id,
      claim,
      holds: null,
      figures: {},
      explanation: `Not measured in this run: needs the replication scenario (--scenario replication)${why ? `; ${why}` : ''}.`,
    };
  }
  const classic = summary.systems.find((s) => s.broker === 'cluster' && s.queueType === 'classic');
  const figures: Finding['figures'] = { rate: summary.rate };
  for (const s of summary.systems) {
    const key = s.name.replace(/\s+(\w)/g, (_, c: string) => c.toUpperCase());
    figures[`${key}ClientP50Ms`] = s.clientLatency.p50;
    figures[`${key}ClientP99Ms`] = s.clientLatency.p99;
    figures[`${key}BuzzP50Ms`] = s.buzzLatency.p50;
    figures[`${key}BuzzP99Ms`] = s.buzzLatency.p99;
    figures[`${key}Lost`] = s.lost;
    figures[`${key}BestRate`] = s.best?.rate ?? null;
  }
  const accept = withinTolerance(quorum.clientLatency.p99, single.clientLatency.p99);
  const delta = (a: number, b: number) => `${a >= b ? '+' : '−'}${n(Math.abs(a - b))} ms`;
  const rateCost =
    single.best && quorum.best
      ? ` (${quorum.best.rate <= single.best.rate ? '−' : '+'}${Math.abs(Math.round((1 - quorum.best.rate / single.best.rate) * 100))} %)`
      : '';
  const lost = summary.systems.filter((s) => s.lost > 0 || s.failed > 0);
  const sentences = [
    `At ${n(summary.rate)} orders/s (brew 0, ${quorum.rounds} alternating rounds each, pooled), the single broker with classic queues accepted orders at p50 ${n(single.clientLatency.p50)} / p99 ${n(single.clientLatency.p99)} ms and buzzed them at p50 ${n(single.buzzLatency.p50)} / p99 ${n(single.buzzLatency.p99)} ms.`,
    `With quorum queues on the 3-node cluster: accepted at p50 ${n(quorum.clientLatency.p50)} / p99 ${n(quorum.clientLatency.p99)} ms (${delta(quorum.clientLatency.p99, single.clientLatency.p99)} at p99), buzzed at p50 ${n(quorum.buzzLatency.p50)} / p99 ${n(quorum.buzzLatency.p99)} ms (${delta(quorum.buzzLatency.p50, single.buzzLatency.p50)} at p50, ${delta(quorum.buzzLatency.p99, single.buzzLatency.p99)} at p99).`,
    ...(classic && classic.rounds > 0
      ? [
          `Classic queues on the same cluster (one copy, on one node): buzzed at p50 ${n(classic.buzzLatency.p50)} / p99 ${n(classic.buzzLatency.p99)} ms, which separates what the cluster costs from what the three copies do.`,
        ]
      : []),
    `Highest sustainable rate: ${summary.systems.map(rateText).join(', ')}${rateCost ? `; quorum on three nodes against the single broker${rateCost}` : ''}.`,
    accept
      ? "So what the extra safety costs is delivery time and throughput; the client is answered as fast, since 202 means stored in order's own database and the broker is not on that path."
      : 'The accept latency grew beyond the tolerance too: on this machine the two extra nodes take CPU from the apps, which share its two cores.',
    ...(lost.length > 0
      ? [
          `Orders failed or lost in the fixed-rate rounds: ${lost.map((s) => `${s.name} ${s.failed} failed, ${s.lost} lost`).join('; ')}.`,
        ]
      : []),
  ];
  return { id, claim, holds: accept, figures, explanation: sentences.join(' ') };
}

export function clusterFindings(results: ScenarioResult[]): Finding[] {
  return [nodeLossFinding(results), replicationFinding(results)];
}
