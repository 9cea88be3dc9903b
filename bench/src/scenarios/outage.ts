import { setTimeout as sleep } from 'node:timers/promises';
import type { OutageFigures, ScenarioResult, Transport } from '../model';
import type { RunContext } from './context';
import { measureLoad, warmupRateFor, type Shop } from './measure';

async function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  const delay = at - performance.now();
  if (delay > 0) await sleep(delay, undefined, { signal }).catch(() => undefined);
}

/**
 * Barista gets SIGTERM partway through the load and is started again a few seconds later. The
 * orders due while it was down show the difference: refused or timed out under http, queued
 * and brewed later under rmq.
 */
export async function runOutage(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const plan = ctx.plan.outage;
  const system = await shop.use(plan, warmupRateFor(plan.phases[0].rate, plan));
  const times: { stopped?: number; exited?: number; restarted?: number; healthy?: number } = {};
  const measured = await measureLoad(ctx, system, shop.orderClient, {
    label: 'outage',
    phases: plan.phases,
    drain: ctx.plan.drain,
    during: async (startAt, mark) => {
      await sleepUntil(startAt + plan.stopAtMs, ctx.abort);
      if (ctx.abort.aborted) return;
      times.stopped = mark('barista stopped (SIGTERM)');
      await system.stopBarista(1);
      times.exited = mark('barista exited');
      await sleepUntil(startAt + plan.stopAtMs + plan.downMs, ctx.abort);
      if (ctx.abort.aborted) return;
      times.restarted = mark('barista started again');
      await system.startBarista(1);
      times.healthy = mark('barista healthy');
    },
  });
  const { book, startAt } = measured;
  const stoppedAt = startAt + (times.stopped ?? plan.stopAtMs);
  const backAt = startAt + (times.healthy ?? times.restarted ?? plan.stopAtMs + plan.downMs);
  const outage: OutageFigures = {
    stoppedAtMs: times.stopped ?? plan.stopAtMs,
    exitedAtMs: times.exited ?? null,
    restartedAtMs: times.restarted ?? null,
    healthyAtMs: times.healthy ?? null,
    beforeOutage: book.window(-Infinity, stoppedAt),
    duringOutage: book.window(stoppedAt, backAt),
    afterOutage: book.window(backAt, Infinity),
  };
  return {
    scenario: 'outage',
    transport,
    variant: shop.variant,
    runs: [{ ...measured.run, outage }],
    wallSeconds: (performance.now() - started) / 1000,
  };
}
