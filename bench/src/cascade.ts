import { healthBySecond, type CallerHealthSamples, type ProbeSample } from './caller-health';
import type { CallerHealthSummary, FaultKind, FaultSecond, TimelinePoint } from './model';
import { summarize, type OrderBook, type QueueSample } from './stats';

/** What {@link faultSeries} and {@link callerHealthSummary} need of one measured run. */
export interface MeasuredFault {
  readonly book: OrderBook;
  readonly timeline: TimelinePoint[];
  /** Load start and drain end (absolute). */
  readonly startAt: number;
  readonly endAt: number;
  readonly queueSamples: { readonly barista: QueueSample[]; readonly pager: QueueSample[] };
}

function deepestBySecond(samples: QueueSample[], origin: number, seconds: number): number[] {
  const depths = Array.from({ length: seconds }, () => -1);
  for (const sample of samples) {
    const s = Math.floor((sample.at - origin) / 1000);
    if (s >= 0 && s < seconds) depths[s] = Math.max(depths[s], sample.depth);
  }
  return depths;
}

/** Per second of the run: orders, clients' waits, queues (rmq) and the caller's health. */
export function faultSeries(measured: MeasuredFault, health: CallerHealthSamples): FaultSecond[] {
  const { book, timeline, startAt, endAt } = measured;
  const seconds = timeline.length;
  const waits = book.waitsBySecond(startAt, endAt, seconds);
  const caller = healthBySecond(health, startAt, seconds);
  const barista = deepestBySecond(measured.queueSamples.barista, startAt, seconds);
  const pager = deepestBySecond(measured.queueSamples.pager, startAt, seconds);
  return timeline.map((point, s) => ({
    second: point.second,
    sent: point.sent,
    accepted: point.accepted,
    failed: point.failed,
    completed: point.completed,
    ...waits[s],
    ...caller[s],
    ...(barista[s] >= 0 ? { baristaQueue: barista[s] } : {}),
    ...(pager[s] >= 0 ? { pagerQueue: pager[s] } : {}),
  }));
}

const p99Of = (probes: ProbeSample[]): number | null =>
  probes.length === 0 ? null : summarize(probes.map((p) => p.ms)).p99;

function peak(series: FaultSecond[], pick: (s: FaultSecond) => number | null | undefined) {
  const values = series.map(pick).filter((v): v is number => typeof v === 'number');
  return values.length === 0 ? null : Math.max(...values);
}

/** Median of a figure over the seconds before the fault: the caller's normal level. */
function levelBefore(
  series: FaultSecond[],
  faultSecond: number,
  pick: (s: FaultSecond) => number | null,
) {
  const values = series
    .slice(0, Math.max(0, faultSecond))
    .map(pick)
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  return values.length === 0 ? null : values[Math.floor(values.length / 2)];
}

/**
 * The caller's health before the fault and while it lasted (from the fault until the callee
 * was back), the clients' waits for the orders due meanwhile, the frozen or slowed service's
 * backlog (rmq) and barista's wasted work (brews for orders not completed).
 */
export function callerHealthSummary(
  kind: FaultKind,
  measured: MeasuredFault,
  health: CallerHealthSamples,
  series: FaultSecond[],
  window: { readonly faultAtMs: number; readonly backAtMs: number },
  brews: number | null,
  completed: number,
): CallerHealthSummary {
  const from = measured.startAt + window.faultAtMs;
  const to = measured.startAt + Math.max(window.backAtMs, window.faultAtMs + 1);
  const before = (list: ProbeSample[]) => list.filter((p) => p.at < from);
  const during = (list: ProbeSample[]) => list.filter((p) => p.at >= from && p.at < to);
  const waits = measured.book.waitsBetween(from, to, measured.endAt);
  const faultSecond = Math.floor(window.faultAtMs / 1000);
  const queue = kind === 'pager-hang' ? 'pagerQueue' : 'baristaQueue';
  return {
    getOrderBeforeP99Ms: p99Of(before(health.getOrder)),
    getOrderDuringP99Ms: p99Of(during(health.getOrder)),
    getOrderMaxMs: peak(series, (s) => s.getOrderMs),
    listOrdersBeforeP99Ms: p99Of(before(health.listOrders)),
    listOrdersDuringP99Ms: p99Of(during(health.listOrders)),
    probeFailures: [...health.getOrder, ...health.listOrders].filter((p) => !p.ok).length,
    peakBaristaInFlight: peak(series, (s) => s.baristaInFlight),
    peakBaristaSockets: peak(series, (s) => s.baristaSockets),
    peakPagerInFlight: peak(series, (s) => s.pagerInFlight),
    peakPagerSockets: peak(series, (s) => s.pagerSockets),
    orderRssBeforeMb: levelBefore(series, faultSecond, (s) => s.orderRssMb),
    orderRssPeakMb: peak(series, (s) => s.orderRssMb),
    eventLoopDelayBeforeMs: levelBefore(series, faultSecond, (s) => s.eventLoopDelayMs),
    eventLoopDelayPeakMs: peak(series, (s) => s.eventLoopDelayMs),
    clientWaitMaxMs: waits.count === 0 ? null : waits.max,
    clientWaitP99Ms: waits.count === 0 ? null : waits.p99,
    peakQueue: peak(series, (s) => s[queue]),
    brews,
    wastedBrews: brews === null ? null : Math.max(0, brews - completed),
  };
}
