import type { ScenarioResult, Transport } from '../model';
import type { RunContext } from './context';
import { measureLoad, warmupRateFor, type Shop } from './measure';

/** A fixed rate for a fixed time: the everyday shop. */
export async function runSteady(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const plan = ctx.plan.steady;
  const system = await shop.use(plan, warmupRateFor(plan.phases[0].rate, plan));
  const { run } = await measureLoad(ctx, system, shop.orderClient, {
    label: 'steady',
    phases: plan.phases,
    drain: ctx.plan.drain,
  });
  return {
    scenario: 'steady',
    transport,
    variant: shop.variant,
    runs: [run],
    wallSeconds: (performance.now() - started) / 1000,
  };
}
