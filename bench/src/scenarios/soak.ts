import type {
  HeapPoint,
  MemoryMeasure,
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
import { median } from '../stats';
import type { RunContext } from './context';
import { measureLoad, round, warmupRateFor, type Shop } from './measure';

export interface ServiceSeries {
  readonly service: string;
  readonly points: MemoryPoint[];
  /** Heap used after the last major GC, sampled from the app's /metrics (NestJS apps only). */
  readonly heap?: HeapPoint[];
  /** The kernel's own peak (VmHWM), which can exceed every sample. */
  readonly peakMb?: number;
}

const ROLE_ORDER: Record<string, number> = { order: 0, barista: 1, pager: 2 };
const MB = 1024 * 1024;

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
        rssMb: round(p.bytes / MB, 1),
      })),
      ...(series.heap
        ? {
            heap: series.heap.map((p) => ({
              atMs: Math.round(p.at - origin),
              heapMb: round(p.bytes / MB, 2),
            })),
          }
        : {}),
      ...(peak ? { peakMb: peak.peakRssMb } : {}),
    };
  });
}

const signed = (value: number, digits: number) =>
  `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(digits)}`;

interface Window {
  readonly from: number;
  readonly to: number;
}

interface Levels {
  readonly afterWarmupMb: number | null;
  readonly endOfLoadMb: number | null;
  readonly growthMb: number | null;
}

/** The medians of a series in the two windows, and the growth between them. */
function levels(points: readonly { atMs: number; mb: number }[], a: Window, b: Window): Levels {
  const level = (w: Window) =>
    median(points.filter((p) => p.atMs >= w.from && p.atMs <= w.to).map((p) => p.mb));
  const afterWarmupMb = level(a);
  const endOfLoadMb = level(b);
  const growthMb =
    afterWarmupMb !== null && endOfLoadMb !== null ? round(endOfLoadMb - afterWarmupMb, 1) : null;
  return { afterWarmupMb, endOfLoadMb, growthMb };
}

/**
 * Whether the heap after GC can be judged: sampled in both windows, and a major GC after the
 * warm-up (the gauge changed), or the end level is just the warm-up's, carried over.
 */
function heapUnusable(heap: readonly HeapPoint[] | undefined, a: Window, b: Window): string | null {
  if (!heap || heap.length === 0) return 'no heap after GC exposed (RSS judged)';
  const after = heap.filter((p) => p.atMs >= a.from);
  const inWindow = (w: Window) => after.some((p) => p.atMs >= w.from && p.atMs <= w.to);
  if (!inWindow(a) || !inWindow(b)) return 'heap after GC not sampled in both windows (RSS judged)';
  if (new Set(after.map((p) => p.heapMb)).size < 2) return 'no major GC after warm-up (RSS judged)';
  return null;
}

/**
 * Judges each service's memory over a soak. The first `warmupShare` of the load is not judged
 * (heaps, JIT code and connection pools grow to their working size). The level after warm-up is
 * the median over the next `windowShare` of the load, the level at the end the median over its
 * last `windowShare`; medians, so one sample taken mid-GC does not decide. A service grows when
 * the end level exceeds the level after warm-up by more than max(floor, growthShare × that level).
 * The measure is the V8 heap used after the last major GC where the app exposes it and collected
 * after warm-up (live objects: a leak shows there, V8 sizing its heap does not), with the
 * `heapGrowthMb` floor; else the resident set (the bare baseline), with the `growthMb` floor.
 * Less than `minJudgedMs` of load after the warm-up is not judged at all.
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
  const results: ServiceMemory[] = services.map(({ service, points, heap, peakMb }) => {
    const rss = points.map((p) => p.rssMb);
    const rssLevels = levels(
      points.map((p) => ({ atMs: p.atMs, mb: p.rssMb })),
      a,
      b,
    );
    const heapNote = heapUnusable(heap, a, b);
    const judgedOn: MemoryMeasure = heapNote === null ? 'heap after GC' : 'RSS';
    const { afterWarmupMb, endOfLoadMb, growthMb } =
      heapNote === null && heap
        ? levels(
            heap.map((p) => ({ atMs: p.atMs, mb: p.heapMb })),
            a,
            b,
          )
        : rssLevels;
    const floor = judgedOn === 'RSS' ? criteria.growthMb : criteria.heapGrowthMb;
    const limit =
      afterWarmupMb === null ? null : Math.max(floor, criteria.growthShare * afterWarmupMb);
    return {
      service,
      startMb: rss[0] ?? 0,
      endMb: rss.at(-1) ?? 0,
      peakMb: Math.max(0, peakMb ?? 0, ...rss),
      judgedOn,
      ...(heap && heapNote !== null ? { heapNote } : {}),
      afterWarmupMb,
      endOfLoadMb,
      growthMb,
      growthPercent:
        growthMb !== null && afterWarmupMb ? round((growthMb / afterWarmupMb) * 100, 1) : null,
      perOrderKb: growthMb !== null && orders > 0 ? round((growthMb * 1024) / orders, 2) : null,
      rssGrowthMb: rssLevels.growthMb,
      grows: judged && growthMb !== null && limit !== null ? growthMb > limit : null,
      series: points,
      ...(heap ? { heapSeries: heap } : {}),
    };
  });
  const verdicts = results.map((r) => r.grows).filter((g): g is boolean => g !== null);
  const flagged = verdicts.length === 0 ? null : verdicts.some((g) => g);
  const measures = [...new Set(results.map((r) => r.judgedOn))];
  const threshold = measures.map((m) => `${soakThresholdText(criteria, m)} of ${m}`).join(', ');
  const growth = (r: ServiceMemory) =>
    `${r.service} ${signed(r.growthMb ?? 0, 1)} MB ${r.judgedOn}${r.growthPercent !== null ? ` (${signed(r.growthPercent, 1)} %${r.perOrderKb !== null ? `, ${r.perOrderKb} KB per order` : ''})` : ''}`;
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
 * A moderate steady rate for minutes, sampling each service's resident memory (RSS) and, where the
 * app exposes it, its heap after major GC all along: what it uses at the start and the end, its
 * peak, and whether it keeps growing after warm-up.
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
    heapAfterGc: true,
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
