import type { ScenarioResult, Transport } from '../model';
import type { RunContext } from './context';
import { measureLoad, warmupRateFor, type Shop } from './measure';

/** The base rate, a short spike at several times it, then the base rate again. */
export async function runBurst(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const plan = ctx.plan.burst;
  const system = await shop.use(plan, warmupRateFor(plan.phases[0].rate, plan));
  const { run } = await measureLoad(ctx, system, shop.orderClient, {
    label: 'burst',
    phases: plan.phases,
    drain: ctx.plan.drain,
  });
  return {
    scenario: 'burst',
    transport,
    variant: shop.variant,
    runs: [run],
    wallSeconds: (performance.now() - started) / 1000,
  };
}
