import type {
  RunResult,
  ScaleOutStep,
  ScaleOutSummary,
  ScaleOutTry,
  ScenarioResult,
  Transport,
} from '../model';
import type { RateSearchPlan, ScaleOutPlan } from '../plan';
import { NEST_ENTRIES } from '../processes';
import type { RunContext } from './context';
import { measureLoad, Shop } from './measure';
import { judgeStep, refineRate, type Verdict } from './overhead';

/** Bisections after a step's first unsustainable rate, as in the overhead search. */
const REFINE_ROUNDS = 3;

/** One measured rate of one step: the instances, the rate, its verdict and its run. */
export interface ScaleOutRun extends Verdict {
  readonly instances: number;
  readonly rate: number;
  readonly run: RunResult;
}

/**
 * Tries the rates in order until one is not sustainable, then bisects towards the last good one
 * (as the overhead scenario does). Returns what it tried, in order.
 */
export async function searchRates<T extends { rate: number; sustainable: boolean }>(
  plan: Pick<RateSearchPlan, 'rates' | 'refine'>,
  abort: AbortSignal,
  tryRate: (rate: number) => Promise<T>,
): Promise<T[]> {
  const tried: T[] = [];
  for (const rate of plan.rates) {
    if (abort.aborted) return tried;
    const result = await tryRate(rate);
    tried.push(result);
    if (!result.sustainable) break;
  }
  if (!plan.refine) return tried;
  for (let round = 0; round < REFINE_ROUNDS && !abort.aborted; round += 1) {
    const next = refineRate(tried);
    if (next === null) break;
    tried.push(await tryRate(next));
  }
  return tried;
}

function tryOf(measured: ScaleOutRun): ScaleOutTry {
  const { run } = measured;
  return {
    instances: measured.instances,
    rate: measured.rate,
    sustainable: measured.sustainable,
    why: measured.why,
    completedPerSec: run.throughput.completedPerSec,
    buzzP99Ms: run.buzzLatency.p99,
    machineCpuPercent: run.cost?.machineCpuPercent ?? null,
    shopCpuPercent: run.cost?.shopCpuPercent ?? 0,
  };
}

/** One instance count: its highest sustainable rate, what it cost there, and the overload. */
export function scaleOutStep(instances: number, runs: readonly ScaleOutRun[]): ScaleOutStep {
  const mine = runs.filter((r) => r.instances === instances);
  const best = mine.filter((r) => r.sustainable).sort((a, b) => b.rate - a.rate)[0];
  const floor = best?.rate ?? 0;
  const over = mine
    .filter((r) => !r.sustainable && r.rate > floor)
    .sort((a, b) => a.rate - b.rate)[0];
  return {
    instances,
    bestRate: best?.rate ?? null,
    firstUnsustainable: over?.rate ?? null,
    completedPerSec: best?.run.throughput.completedPerSec ?? null,
    clientLatency: best?.run.clientLatency ?? null,
    buzzLatency: best?.run.buzzLatency ?? null,
    cost: best?.run.cost ?? null,
    overloadMachineCpuPercent: over?.run.cost?.machineCpuPercent ?? null,
    overloadWhy: over?.why ?? null,
  };
}

export function summarizeScaleOut(
  runs: readonly ScaleOutRun[],
  plan: Pick<ScaleOutPlan, 'instances' | 'saturationShare' | 'search'>,
  cores: number,
): ScaleOutSummary {
  return {
    steps: plan.instances
      .filter((n) => runs.some((r) => r.instances === n))
      .map((n) => scaleOutStep(n, runs)),
    tries: runs.map(tryOf),
    criteria: {
      maxFailed: 0,
      buzzP99Ms: plan.search.buzzP99Ms,
      sendLagP99Ms: plan.search.sendLagP99Ms,
    },
    saturationShare: plan.saturationShare,
    cores,
  };
}

/**
 * 1, 2, 3 instances of order and of barista (one pager) on one PostgreSQL database under rmq: the
 * load client spreads the orders over the order instances, the baristas compete for their queue.
 * Each instance count is a fresh shop on a fresh database, searched for its highest sustainable
 * rate (brew 0, stepped and judged as in overhead), with the whole machine's CPU at every step.
 */
export async function runScaleOut(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const plan = ctx.plan.scaleOut;
  const { search } = plan;
  // The variant's own shop would idle on the same cores: stopped; a later scenario restarts it.
  await shop.close();
  const runs: ScaleOutRun[] = [];
  for (const instances of plan.instances) {
    if (ctx.abort.aborted) break;
    const settings = { brewMs: plan.brewMs, machines: plan.machines, baristas: instances };
    const layout = { store: 'postgres', orders: instances, poolMax: plan.poolMax } as const;
    const tag = `scaleout-x${instances}`;
    const target = new Shop(
      ctx,
      'nest',
      NEST_ENTRIES,
      shop.variant,
      tag,
      undefined,
      undefined,
      layout,
    );
    try {
      await searchRates(search, ctx.abort, async (rate) => {
        const system = await target.use(settings, Math.min(250, search.rates[0]));
        if (search.leadInMs > 0) {
          await measureLoad(ctx, system, target.orderClient, {
            label: `x${instances}@${rate}-lead-in`,
            phases: [{ durationMs: search.leadInMs, rate }],
            drain: search.drain,
          });
          await target.settle();
        }
        const { run } = await measureLoad(ctx, system, target.orderClient, {
          label: `x${instances}@${rate}`,
          phases: [{ durationMs: search.stepMs, rate }],
          drain: search.drain,
          cost: true,
        });
        // An overloaded step leaves a backlog: drained before the next step.
        await target.settle();
        const measured = { instances, rate, ...judgeStep(run, search), run };
        runs.push(measured);
        const cpu = run.cost?.machineCpuPercent;
        ctx.progress.log(
          `  scale-out x${instances} ${rate}/s: ${measured.sustainable ? 'sustainable' : 'NOT sustainable'} (${measured.why}; machine CPU ${cpu ?? '?'} %)`,
        );
        return measured;
      });
    } finally {
      await target.close();
    }
  }
  const cores = runs.find((r) => r.run.cost)?.run.cost?.cores ?? 0;
  return {
    scenario: 'scale-out',
    transport,
    variant: shop.variant,
    runs: runs.map((r) => r.run),
    scaleOut: summarizeScaleOut(runs, plan, cores),
    wallSeconds: (performance.now() - started) / 1000,
  };
}
