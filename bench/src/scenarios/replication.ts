import type {
  OverheadBest,
  ReplicationFigures,
  ReplicationStep,
  ReplicationSummary,
  ReplicationSystem,
  RunResult,
  ScenarioResult,
  Transport,
} from '../model';
import type { ReplicationPlan } from '../plan';
import { summarize } from '../stats';
import type { RunContext } from './context';
import { measureLoad, Shop } from './measure';
import { judgeStep, refineRate } from './overhead';

/** One fixed-rate round of one system: its run and its orders' raw latencies. */
export interface Round {
  readonly run: RunResult;
  readonly client: number[];
  readonly buzz: number[];
}

/** Bisections after a system's first unsustainable step, as in the overhead search. */
const REFINE_ROUNDS = 3;

/**
 * The order the systems run in, round `round` (0-based): rotated each round, so that none is
 * always first (just after a restart) or last (after the others' load).
 */
export function roundOrder<T>(systems: readonly T[], round: number): T[] {
  const k = systems.length === 0 ? 0 : round % systems.length;
  return [...systems.slice(k), ...systems.slice(0, k)];
}

/** The highest sustainable step of one system, and the lowest unsustainable rate above it. */
export function bestOf(
  steps: readonly ReplicationStep[],
  system: string,
): { best: OverheadBest | null; firstUnsustainable: number | null } {
  const mine = steps.filter((step) => step.system === system);
  const good = mine.filter((step) => step.sustainable).sort((a, b) => b.rate - a.rate)[0];
  const floor = good?.rate ?? 0;
  const above = mine.filter((step) => !step.sustainable && step.rate > floor).map((s) => s.rate);
  return {
    best: good
      ? {
          rate: good.rate,
          completedPerSec: good.completedPerSec,
          lost: good.lost,
          clientP99Ms: good.clientP99Ms,
          buzzP99Ms: good.buzzP99Ms,
          limitNotReached: above.length === 0,
        }
      : null,
    firstUnsustainable: above.length === 0 ? null : Math.min(...above),
  };
}

/** One system's fixed-rate rounds pooled, and its search's outcome. */
export function replicationFigures(
  system: ReplicationSystem,
  rate: number,
  rounds: readonly Round[],
  steps: readonly ReplicationStep[],
): ReplicationFigures {
  const runs = rounds.map((round) => round.run);
  return {
    ...system,
    rate,
    rounds: rounds.length,
    sent: runs.reduce((sum, run) => sum + run.counts.sent, 0),
    lost: runs.reduce((sum, run) => sum + run.counts.lost, 0),
    failed: runs.reduce((sum, run) => sum + run.counts.failed, 0),
    clientLatency: summarize(rounds.flatMap((round) => round.client)),
    buzzLatency: summarize(rounds.flatMap((round) => round.buzz)),
    clientP99ByRound: runs.map((run) => run.clientLatency.p99),
    buzzP99ByRound: runs.map((run) => run.buzzLatency.p99),
    ...bestOf(steps, system.name),
  };
}

interface Candidate {
  readonly system: ReplicationSystem;
  readonly shop: Shop;
}

/** The shops to compare: one per system whose broker is available; the others, and why not. */
async function candidates(
  ctx: RunContext,
  like: Shop,
  plan: ReplicationPlan,
): Promise<{ shops: Candidate[]; skipped: { system: string; reason: string }[] }> {
  const shops: Candidate[] = [];
  const skipped: { system: string; reason: string }[] = [];
  for (const system of plan.systems) {
    let amqpUrl = ctx.amqpUrl;
    if (system.broker === 'cluster') {
      if (!ctx.cluster) {
        skipped.push({ system: system.name, reason: 'no local RabbitMQ cluster in this run' });
        continue;
      }
      try {
        ctx.progress.update('starting the local 3-node RabbitMQ cluster ...');
        amqpUrl = (await ctx.cluster.get()).amqpUrl;
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        skipped.push({
          system: system.name,
          reason: `the 3-node cluster did not start: ${reason}`,
        });
        continue;
      }
    }
    const tag = `repl-${system.name.replace(/\s+/g, '-')}`;
    const shop = new Shop(ctx, like.kind, like.entries, like.variant, tag, {
      kind: system.broker,
      amqpUrl,
      queueType: system.queueType,
    });
    shops.push({ system, shop });
  }
  return { shops, skipped };
}

/**
 * The cost of replication in steady state (rmq): the machine's single broker with classic queues
 * against the local 3-node cluster with quorum queues (and with classic ones), in one run. First
 * fixed-rate rounds, the systems alternating in a rotating order so that a machine that slows
 * down meanwhile (other users of the two cores) weighs on each alike; then each system's highest
 * sustainable rate, found by the overhead scenario's stepped search with the steps interleaved
 * across systems. Brew 0 and machines to spare: what is left is the messaging's own latency.
 */
export async function runReplication(
  ctx: RunContext,
  transport: Transport,
  like: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const plan = ctx.plan.replication;
  const rate = plan.phases[0].rate;
  const settings = { brewMs: plan.brewMs, machines: plan.machines, baristas: 1 };
  const warmupRate = Math.min(250, rate);
  const { shops, skipped } = await candidates(ctx, like, plan);
  const rounds = new Map<string, Round[]>(shops.map((s) => [s.system.name, []]));
  const steps: ReplicationStep[] = [];
  const runs: RunResult[] = [];
  try {
    for (let round = 0; round < plan.rounds && !ctx.abort.aborted; round += 1) {
      for (const { system, shop } of roundOrder(shops, round)) {
        if (ctx.abort.aborted) break;
        const running = await shop.use(settings, warmupRate);
        const measured = await measureLoad(ctx, running, shop.orderClient, {
          label: `${system.name} r${round + 1}`,
          phases: plan.phases,
          drain: plan.drain,
        });
        await shop.settle();
        runs.push(measured.run);
        rounds.get(system.name)?.push({ run: measured.run, ...measured.book.acceptedLatencies() });
      }
    }
    const step = async ({ system, shop }: Candidate, stepRate: number): Promise<boolean> => {
      const running = await shop.use(settings, warmupRate);
      const { search } = plan;
      if (search.leadInMs > 0) {
        await measureLoad(ctx, running, shop.orderClient, {
          label: `${system.name}@${stepRate}-lead-in`,
          phases: [{ durationMs: search.leadInMs, rate: stepRate }],
          drain: search.drain,
        });
        await shop.settle();
      }
      const { run } = await measureLoad(ctx, running, shop.orderClient, {
        label: `${system.name}@${stepRate}`,
        phases: [{ durationMs: search.stepMs, rate: stepRate }],
        drain: search.drain,
      });
      // An overloaded step leaves a backlog: drained before the next system's step.
      await shop.settle();
      runs.push(run);
      const verdict = judgeStep(run, search);
      steps.push({
        system: system.name,
        rate: stepRate,
        ...verdict,
        sent: run.counts.sent,
        failed: run.counts.failed,
        lost: run.counts.lost,
        completedPerSec: run.throughput.completedPerSec,
        clientP99Ms: run.clientLatency.p99,
        buzzP99Ms: run.buzzLatency.p99,
      });
      ctx.progress.log(
        `  replication ${system.name} ${stepRate}/s: ${verdict.sustainable ? 'sustainable' : 'NOT sustainable'} (${verdict.why})`,
      );
      return verdict.sustainable;
    };
    let searching = [...shops];
    for (const stepRate of plan.search.rates) {
      const next: Candidate[] = [];
      for (const candidate of searching) {
        if (ctx.abort.aborted) break;
        if (await step(candidate, stepRate)) next.push(candidate);
      }
      searching = next;
      if (searching.length === 0 || ctx.abort.aborted) break;
    }
    if (plan.search.refine) {
      for (let round = 0; round < REFINE_ROUNDS && !ctx.abort.aborted; round += 1) {
        for (const candidate of shops) {
          if (ctx.abort.aborted) break;
          const next = refineRate(steps.filter((s) => s.system === candidate.system.name));
          if (next !== null) await step(candidate, next);
        }
      }
    }
  } finally {
    for (const { shop } of shops) await shop.close();
  }
  const summary: ReplicationSummary = {
    systems: shops.map(({ system }) =>
      replicationFigures(system, rate, rounds.get(system.name) ?? [], steps),
    ),
    steps,
    rate,
    brewMs: plan.brewMs,
    criteria: {
      maxFailed: 0,
      buzzP99Ms: plan.search.buzzP99Ms,
      sendLagP99Ms: plan.search.sendLagP99Ms,
    },
    ...(skipped.length > 0 ? { skipped } : {}),
  };
  return {
    scenario: 'replication',
    transport,
    variant: like.variant,
    runs,
    replication: summary,
    ...(skipped.length > 0
      ? { skipped: skipped.map((s) => ({ label: s.system, reason: s.reason })) }
      : {}),
    wallSeconds: (performance.now() - started) / 1000,
  };
}
