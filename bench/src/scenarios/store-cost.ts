import type {
  RunResult,
  ScenarioResult,
  Store,
  StoreCostSide,
  StoreCostSummary,
  Transport,
} from '../model';
import type { StoreCostPlan } from '../plan';
import { NEST_ENTRIES } from '../processes';
import { summarize } from '../stats';
import type { RunContext } from './context';
import { measureLoad, round, Shop, warmupRateFor } from './measure';
import type { Round } from './replication';

const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);

/** One store's runs pooled: CPU summed over orders summed, latencies over every order. */
export function storeSide(store: Store, rounds: readonly Round[]): StoreCostSide | null {
  const mine = rounds.filter((r) => (r.run.params.store ?? 'sqlite') === store);
  if (mine.length === 0) return null;
  const costed = mine.filter((r) => r.run.cost);
  const completed = sum(costed.map((r) => r.run.counts.completed));
  const perOrder = (seconds: number) =>
    completed > 0 ? round((seconds * 1000) / completed) : null;
  const apps = sum(costed.map((r) => r.run.cost?.appCpuSeconds ?? 0));
  const database = costed.map((r) => r.run.cost?.databaseCpuSeconds ?? null);
  const databaseKnown = store === 'postgres' && database.every((v) => v !== null);
  const databaseSeconds = sum(database.map((v) => v ?? 0));
  return {
    store,
    runs: mine.length,
    completed: sum(mine.map((r) => r.run.counts.completed)),
    lost: sum(mine.map((r) => r.run.counts.lost)),
    cpuMsPerOrder: perOrder(apps + databaseSeconds),
    appCpuMsPerOrder: perOrder(apps),
    databaseCpuMsPerOrder: databaseKnown ? perOrder(databaseSeconds) : null,
    cpuMsPerOrderByRun: mine.map((r) => r.run.cost?.cpuMsPerOrder ?? null),
    clientLatency: summarize(mine.flatMap((r) => r.client)),
    buzzLatency: summarize(mine.flatMap((r) => r.buzz)),
  };
}

const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a != null && b != null && b > 0 ? round(a / b) : null;

/** Both stores side by side, PostgreSQL over SQLite, and whether every run agreed. */
export function summarizeStoreCost(
  rounds: readonly Round[],
  plan: Pick<StoreCostPlan, 'rate' | 'durationMs' | 'sequence'>,
): StoreCostSummary {
  const sqlite = storeSide('sqlite', rounds);
  const postgres = storeSide('postgres', rounds);
  const costs = (side: StoreCostSide | null) =>
    (side?.cpuMsPerOrderByRun ?? []).filter((v): v is number => v !== null);
  const [s, p] = [costs(sqlite), costs(postgres)];
  return {
    rate: plan.rate,
    durationMs: plan.durationMs,
    sequence: plan.sequence,
    sqlite,
    postgres,
    cpuRatio: ratio(postgres?.cpuMsPerOrder, sqlite?.cpuMsPerOrder),
    buzzP50Ratio: ratio(postgres?.buzzLatency.p50, sqlite?.buzzLatency.p50),
    buzzP99Ratio: ratio(postgres?.buzzLatency.p99, sqlite?.buzzLatency.p99),
    separated: s.length > 0 && p.length > 0 ? Math.min(...p) > Math.max(...s) : null,
  };
}

/**
 * What PostgreSQL costs per order against SQLite, in one run: the same rmq shop (one instance of
 * each app, brew 0) at the same rate, on SQLite and on a fresh PostgreSQL database in turn,
 * A B B A, so that a drift of the shared machine weighs on both. Each run is a fresh shop; the
 * CPU of the apps and of the database server's processes is counted per completed order.
 */
export async function runStoreCost(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const plan = ctx.plan.storeCost;
  // The variant's own shop would idle on the same cores: stopped; a later scenario restarts it.
  await shop.close();
  const settings = { brewMs: plan.brewMs, machines: plan.machines, baristas: 1 };
  const rounds: Round[] = [];
  for (const [i, store] of plan.sequence.entries()) {
    if (ctx.abort.aborted) break;
    const tag = `cost-${store}-${i + 1}`;
    const target = new Shop(ctx, 'nest', NEST_ENTRIES, shop.variant, tag, undefined, undefined, {
      store,
    });
    try {
      const system = await target.use(settings, warmupRateFor(plan.rate, settings));
      const measured = await measureLoad(ctx, system, target.orderClient, {
        label: `${store} #${i + 1}`,
        phases: [{ durationMs: plan.durationMs, rate: plan.rate }],
        drain: plan.drain,
        cost: true,
      });
      rounds.push({ run: measured.run, ...measured.book.acceptedLatencies() });
      const cost = measured.run.cost;
      ctx.progress.log(
        `  store-cost ${store} #${i + 1}: ${cost?.cpuMsPerOrder ?? '?'} CPU ms per order, buzz p50 ${measured.run.buzzLatency.p50} ms`,
      );
    } finally {
      await target.close();
    }
  }
  const runs: RunResult[] = rounds.map((r) => r.run);
  return {
    scenario: 'store-cost',
    transport,
    variant: shop.variant,
    runs,
    storeCost: summarizeStoreCost(rounds, plan),
    wallSeconds: (performance.now() - started) / 1000,
  };
}
