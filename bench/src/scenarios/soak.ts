import type {
  MemoryPoint,
  ProcessUsage,
  ScenarioResult,
  ServiceMemory,
  SoakCriteria,
  SoakFigures,
  Transport,
} from '../model';
import { soakThresholdText } from '../plan';
import type { MemorySeries } from '../processes';
import type { RunContext } from './context';
import { measureLoad, round, warmupRateFor, type Shop } from './measure';

export interface ServiceSeries {
  readonly service: string;
  readonly points: MemoryPoint[];
  /** The kernel's own peak (VmHWM), which can exceed every sample. */
  readonly peakMb?: number;
}

const ROLE_ORDER: Record<string, number> = { order: 0, barista: 1, pager: 2 };

/** The sampler's series in MB against ms since load start, one per service: order, baristas, pager. */
export function serviceSeries(
  memory: readonly MemorySeries[],
  origin: number,
  usage: readonly ProcessUsage[] = [],
): ServiceSeries[] {
  const sorted = [...memory].sort(
    (a, b) => (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || a.instance - b.instance,
  );
  return sorted.map((series) => {
    const peak = usage.find((u) => u.role === series.role && u.instance === series.instance);
    return {
      service: series.role === 'barista' ? `barista#${series.instance}` : series.role,
      points: series.points.map((p) => ({
        atMs: Math.round(p.at - origin),
        rssMb: round(p.bytes / 1024 / 1024, 1),
      })),
      ...(peak ? { peakMb: peak.peakRssMb } : {}),
    };
  });
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const signed = (value: number, digits: number) =>
  `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;

/**
 * Judges each service's memory over a soak. The first `warmupShare` of the load is not judged
 * (heaps, JIT code and connection pools grow to their working size). The level after warm-up is
 * the median RSS over the next `windowShare` of the load, the level at the end the median over its
 * last `windowShare`; medians, so one sample taken mid-GC does not decide. A service grows when
 * the end level exceeds the level after warm-up by more than max(growthMb, growthShare × that
 * level). Less than `minJudgedMs` of load after the warm-up is not judged at all.
 * `completedBetween(fromMs, toMs)` counts orders completed in that span, for the growth per order.
 */
export function judgeSoak(
  services: readonly ServiceSeries[],
  loadMs: number,
  criteria: SoakCriteria,
  completedBetween: (fromMs: number, toMs: number) => number,
): SoakFigures {
  const warmupMs = Math.round(loadMs * criteria.warmupShare);
  const windowMs = loadMs * criteria.windowShare;
  const judged = loadMs - warmupMs >= criteria.minJudgedMs;
  const a = { from: warmupMs, to: warmupMs + windowMs };
  const b = { from: loadMs - windowMs, to: loadMs };
  const orders = completedBetween((a.from + a.to) / 2, (b.from + b.to) / 2);
  const level = (points: MemoryPoint[], w: { from: number; to: number }) =>
    median(points.filter((p) => p.atMs >= w.from && p.atMs <= w.to).map((p) => p.rssMb));
  const results: ServiceMemory[] = services.map(({ service, points, peakMb }) => {
    const rss = points.map((p) => p.rssMb);
    const afterWarmupMb = level(points, a);
    const endOfLoadMb = level(points, b);
    const growthMb =
      afterWarmupMb !== null && endOfLoadMb !== null ? round(endOfLoadMb - afterWarmupMb, 1) : null;
    const limit =
      afterWarmupMb === null
        ? null
        : Math.max(criteria.growthMb, criteria.growthShare * afterWarmupMb);
    return {
      service,
      startMb: rss[0] ?? 0,
      endMb: rss.at(-1) ?? 0,
      peakMb: Math.max(0, peakMb ?? 0, ...rss),
      afterWarmupMb,
      endOfLoadMb,
      growthMb,
      growthPercent:
        growthMb !== null && afterWarmupMb ? round((growthMb / afterWarmupMb) * 100, 1) : null,
      perOrderKb: growthMb !== null && orders > 0 ? round((growthMb * 1024) / orders, 2) : null,
      grows: judged && growthMb !== null && limit !== null ? growthMb > limit : null,
      series: points,
    };
  });
  const verdicts = results.map((r) => r.grows).filter((g): g is boolean => g !== null);
  const flagged = verdicts.length === 0 ? null : verdicts.some((g) => g);
  const threshold = soakThresholdText(criteria);
  const growth = (r: ServiceMemory) =>
    `${r.service} ${signed(r.growthMb ?? 0, 1)} MB${r.growthPercent !== null ? ` (${signed(r.growthPercent, 1)} %${r.perOrderKb !== null ? `, ${r.perOrderKb} KB per order` : ''})` : ''}`;
  let verdict: string;
  if (!judged) {
    verdict = `not judged: ${((loadMs - warmupMs) / 1000).toFixed(0)} s of load after the ${(warmupMs / 1000).toFixed(0)} s warm-up, ${criteria.minJudgedMs / 1000} s needed (a full soak runs 180 s)`;
  } else if (flagged === null) {
    verdict = 'not judged: no memory samples in the windows compared';
  } else if (flagged) {
    const growers = results.filter((r) => r.grows);
    verdict = `GROWS after warm-up: ${growers.map(growth).join('; ')}, beyond ${threshold} over ${orders} orders`;
  } else {
    verdict = `flat after warm-up: ${results.map(growth).join('; ')}, within ${threshold} over ${orders} orders`;
  }
  return { criteria, warmupMs, services: results, flagged, verdict };
}

/**
 * A moderate steady rate for minutes, sampling each service's resident memory (RSS) all along:
 * what it uses at the start and the end, its peak, and whether it keeps growing after warm-up.
 */
export async function runSoak(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const plan = ctx.plan.soak;
  const system = await shop.use(plan, warmupRateFor(plan.phases[0].rate, plan));
  const measured = await measureLoad(ctx, system, shop.orderClient, {
    label: 'soak',
    phases: plan.phases,
    drain: ctx.plan.drain,
    sampleMs: plan.sampleMs,
  });
  const { run, book, startAt, loadEnd } = measured;
  const soak = judgeSoak(
    serviceSeries(measured.memory, startAt, run.processes),
    loadEnd - startAt,
    plan.criteria,
    (from, to) => book.completedBetween(startAt + from, startAt + to),
  );
  return {
    scenario: 'soak',
    transport,
    variant: shop.variant,
    runs: [{ ...run, soak }],
    wallSeconds: (performance.now() - started) / 1000,
  };
}
