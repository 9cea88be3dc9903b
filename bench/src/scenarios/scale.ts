import type { RunResult, ScenarioResult, Transport } from '../model';
import type { RunContext } from './context';
import { measureLoad, warmupRateFor, type Shop } from './measure';

/** Orders per second N baristas can brew at most; null when brewing takes no time. */
export function baristaCapacity(baristas: number, machines: number, brewMs: number): number | null {
  return brewMs > 0 ? (baristas * machines * 1000) / brewMs : null;
}

/**
 * The same load against one barista and against three: under http order balances its calls over
 * the three URLs; under rmq the three compete for the one queue.
 */
export async function runScale(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const plan = ctx.plan.scale;
  const runs: RunResult[] = [];
  for (const baristas of plan.instances) {
    if (ctx.abort.aborted) break;
    const settings = { brewMs: plan.brewMs, machines: plan.machines, baristas };
    const system = await shop.use(settings, warmupRateFor(plan.rate, settings));
    const { run } = await measureLoad(ctx, system, shop.orderClient, {
      label: `x${baristas}`,
      phases: [{ durationMs: plan.durationMs, rate: plan.rate }],
      drain: ctx.plan.drain,
    });
    runs.push(run);
  }
  return {
    scenario: 'scale',
    transport,
    variant: shop.variant,
    runs,
    wallSeconds: (performance.now() - started) / 1000,
  };
}
