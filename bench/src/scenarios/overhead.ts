import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  OverheadBest,
  OverheadStep,
  OverheadSummary,
  RunResult,
  ScenarioResult,
  SystemKind,
  Transport,
} from '../model';
import type { OverheadPlan } from '../plan';
import { BASELINE_ENTRIES } from '../processes';
import type { RunContext } from './context';
import { measureLoad, Shop } from './measure';

export interface Verdict {
  readonly sustainable: boolean;
  readonly why: string;
}

/**
 * A step is sustainable when every order was accepted and buzzed within the drain and the buzz
 * p99 (from the scheduled send) stayed within the bound.
 */
export function judgeStep(
  run: RunResult,
  plan: Pick<OverheadPlan, 'buzzP99Ms' | 'sendLagP99Ms'>,
): Verdict {
  const { counts } = run;
  if (counts.sent === 0) return { sustainable: false, why: 'nothing was sent' };
  if (counts.failed > 0)
    return { sustainable: false, why: `${counts.failed} of ${counts.sent} orders failed` };
  if (counts.lost > 0)
    return {
      sustainable: false,
      why: `${counts.lost} accepted orders not buzzed within the drain`,
    };
  if (run.buzzLatency.p99 > plan.buzzP99Ms) {
    return { sustainable: false, why: `buzz p99 ${run.buzzLatency.p99} ms > ${plan.buzzP99Ms} ms` };
  }
  // Latency counts from the schedule, so a lagging load generator cannot flatter a step; its lag
  // is only named, as a sign that the two cores were saturated.
  const lag =
    run.sendLag.p99 > plan.sendLagP99Ms ? `; load generator lag p99 ${run.sendLag.p99} ms` : '';
  return {
    sustainable: true,
    why: `all ${counts.sent} buzzed, buzz p99 ${run.buzzLatency.p99} ms${lag}`,
  };
}

/** Bisections after the first unsustainable step: 1,000 → 2,000 narrows to within 125/s. */
const REFINE_ROUNDS = 3;

/**
 * The next rate to try: halfway (rounded to 50/s) between the highest sustainable step and the
 * lowest unsustainable one above it, or null when they are within 15 % of each other.
 */
export function refineRate(steps: Pick<OverheadStep, 'rate' | 'sustainable'>[]): number | null {
  const good = steps.filter((step) => step.sustainable).map((step) => step.rate);
  const low = good.length > 0 ? Math.max(...good) : 0;
  const bad = steps.filter((step) => !step.sustainable && step.rate > low).map((step) => step.rate);
  if (bad.length === 0) return null;
  const high = Math.min(...bad);
  if (high - low <= 0.15 * high) return null;
  const next = Math.round((low + high) / 2 / 50) * 50;
  return next > low && next < high ? next : null;
}

/** The highest sustainable step of one system, or null if none was. */
export function bestStep(steps: OverheadStep[], system: SystemKind): OverheadBest | null {
  const mine = steps.filter((step) => step.system === system);
  const good = mine.filter((step) => step.sustainable).sort((a, b) => b.rate - a.rate)[0];
  if (!good) return null;
  const highestTried = Math.max(...mine.map((step) => step.rate));
  return {
    rate: good.rate,
    completedPerSec: good.run.throughput.completedPerSec,
    lost: good.run.counts.lost,
    clientP99Ms: good.run.clientLatency.p99,
    buzzP99Ms: good.run.buzzLatency.p99,
    limitNotReached: good.rate === highestTried && mine.every((step) => step.sustainable),
  };
}

export function summarizeOverhead(
  steps: OverheadStep[],
  plan: OverheadPlan,
  baselineSkipped?: string,
): OverheadSummary {
  const nest = bestStep(steps, 'nest');
  const baseline = bestStep(steps, 'baseline');
  return {
    criteria: { maxFailed: 0, buzzP99Ms: plan.buzzP99Ms, sendLagP99Ms: plan.sendLagP99Ms },
    nest,
    baseline,
    ratio: nest && baseline ? Math.round((nest.rate / baseline.rate) * 100) / 100 : null,
    ...(baselineSkipped ? { baselineSkipped } : {}),
  };
}

/** Why the baseline cannot run, or undefined if it can. */
export function baselineMissing(cwd: string, enabled: boolean): string | undefined {
  if (!enabled) return 'skipped with --no-baseline';
  const missing = Object.values(BASELINE_ENTRIES).filter((entry) => !existsSync(join(cwd, entry)));
  return missing.length > 0 ? `not found: ${missing.join(', ')}` : undefined;
}

/**
 * Brew time 0, rising rate steps until one is not sustainable: what the transport (and the
 * framework) cost on their own. The same steps run against the bare baseline, side by side.
 */
export async function runOverhead(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const plan = ctx.plan.overhead;
  const steps: OverheadStep[] = [];
  // The bare baseline has no defences: http+defences is compared with it through http's figures.
  const skipped =
    shop.variant === 'http+defences'
      ? 'not run for http+defences (see http)'
      : baselineMissing(ctx.cwd, ctx.plan.baseline);
  const settings = { brewMs: 0, machines: plan.machines, baristas: 1 };
  const warmupRate = Math.min(250, plan.rates[0]);
  const searchSteps = async (target: Shop, rates: number[]) => {
    for (const rate of rates) {
      if (ctx.abort.aborted) return false;
      if (steps.some((step) => step.system === target.kind && step.rate === rate)) continue;
      // Each step starts from an empty shop: a bad step's backlog must not count against the next.
      const system = await target.use(settings, warmupRate);
      if (plan.leadInMs > 0) {
        await measureLoad(ctx, system, target.orderClient, {
          label: `${target.kind}@${rate}-lead-in`,
          phases: [{ durationMs: plan.leadInMs, rate }],
          drain: plan.drain,
        });
        await target.settle();
      }
      const { run } = await measureLoad(ctx, system, target.orderClient, {
        label: `${target.kind}@${rate}`,
        phases: [{ durationMs: plan.stepMs, rate }],
        drain: plan.drain,
      });
      const verdict = judgeStep(run, plan);
      steps.push({ system: target.kind, rate, ...verdict, run });
      ctx.progress.log(
        `  ${transport} overhead ${target.kind} ${rate}/s: ${verdict.sustainable ? 'sustainable' : 'NOT sustainable'} (${verdict.why})`,
      );
      if (!verdict.sustainable) return false;
    }
    return true;
  };
  const search = async (target: Shop) => {
    const allGood = await searchSteps(target, plan.rates);
    if (allGood || !plan.refine || ctx.abort.aborted) return;
    // Bisect between the last good rate and the lowest bad one, until they are within 15 %.
    for (let round = 0; round < REFINE_ROUNDS && !ctx.abort.aborted; round += 1) {
      const next = refineRate(steps.filter((step) => step.system === target.kind));
      if (next === null) return;
      await searchSteps(target, [next]);
    }
  };
  await search(shop);
  // The accept-latency target is stated at a fixed rate: measure it there even when the
  // search stopped below it.
  if (
    !ctx.abort.aborted &&
    !steps.some((step) => step.system === shop.kind && step.rate === plan.probeRate)
  ) {
    await searchSteps(shop, [plan.probeRate]);
  }
  if (!skipped && !ctx.abort.aborted) {
    const baseline = new Shop(ctx, 'baseline', BASELINE_ENTRIES, transport, 'baseline');
    try {
      await search(baseline);
    } finally {
      await baseline.close();
    }
  }
  return {
    scenario: 'overhead',
    transport,
    variant: shop.variant,
    runs: steps.map((step) => step.run),
    steps,
    overhead: summarizeOverhead(steps, plan, skipped),
    wallSeconds: (performance.now() - started) / 1000,
  };
}
