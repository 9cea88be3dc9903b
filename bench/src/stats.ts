import * as hdr from 'hdr-histogram-js';
import {
  FAILURE_REASONS,
  type Counts,
  type FailureReason,
  type LatencySummary,
  type TimelinePoint,
  type WindowCounts,
} from './model';

/**
 * Latencies in milliseconds, kept by an HDR histogram in microseconds (3 significant digits), so
 * sub-millisecond broker latencies and multi-second stalls are both resolved.
 */
export class LatencyHistogram {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  private sum = 0;

  record(ms: number): void {
    const micros = Math.max(1, Math.round(ms * 1000));
    this.histogram.recordValue(micros);
    this.sum += micros;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const count = this.histogram.totalCount;
    if (count === 0) return emptySummary();
    const ms = (micros: number) => Math.round(micros) / 1000;
    return {
      count,
      p50: ms(this.histogram.getValueAtPercentile(50)),
      p90: ms(this.histogram.getValueAtPercentile(90)),
      p95: ms(this.histogram.getValueAtPercentile(95)),
      p99: ms(this.histogram.getValueAtPercentile(99)),
      max: ms(this.histogram.maxValue),
      mean: Math.round(this.sum / count) / 1000,
    };
  }
}

export function emptySummary(): LatencySummary {
  return { count: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0, mean: 0 };
}

export function summarize(valuesMs: Iterable<number>): LatencySummary {
  const histogram = new LatencyHistogram();
  for (const value of valuesMs) histogram.record(value);
  return histogram.summary();
}

export interface Failure {
  readonly reason: FailureReason;
  readonly status?: number;
  readonly hop?: string;
}

interface OrderRecord {
  readonly seq: number;
  readonly scheduledAt: number;
  readonly correlationId: string;
  sentAt?: number;
  respondedAt?: number;
  outcome?: 'accepted' | Failure;
  orderId?: string;
  firstBuzzAt?: number;
  buzzes: number;
}

export interface BuzzSighting {
  readonly orderId?: string;
  readonly correlationId?: string;
}

export interface BookSummary {
  readonly counts: Counts;
  readonly clientLatency: LatencySummary;
  readonly failedLatency: LatencySummary;
  readonly buzzLatency: LatencySummary;
  readonly sendLag: LatencySummary;
  readonly lastCompletionAt: number | null;
}

/**
 * Every order of one run, from its scheduled time to its buzz. Times are absolute clock values
 * (performance.now()); latencies are measured from `scheduledAt`. Buzzes are matched by the
 * correlation id the client chose, or by order id, so a buzz that outruns its HTTP answer (http:
 * the pager is called before order answers) still counts.
 */
export class OrderBook {
  private readonly orders: OrderRecord[] = [];
  private readonly byCorrelation = new Map<string, OrderRecord>();
  private readonly byOrderId = new Map<string, OrderRecord>();
  /** Buzzes whose order is not (yet) known by id: matched when the answer brings the id. */
  private readonly orphanBuzzes = new Map<string, number[]>();
  private unmatched = 0;
  private pendingAnswers = 0;
  private accepted = 0;
  private buzzedAccepted = 0;
  lastProgressAt: number;

  constructor(
    private readonly correlationPrefix: string,
    now = 0,
  ) {
    this.lastProgressAt = now;
  }

  correlationIdOf(seq: number): string {
    return `${this.correlationPrefix}-${seq}`;
  }

  register(seq: number, scheduledAt: number, sentAt: number): string {
    const correlationId = this.correlationIdOf(seq);
    const record: OrderRecord = { seq, scheduledAt, correlationId, sentAt, buzzes: 0 };
    this.orders[seq] = record;
    this.byCorrelation.set(correlationId, record);
    this.pendingAnswers += 1;
    return correlationId;
  }

  accept(seq: number, at: number, orderId: string | undefined): void {
    const record = this.answer(seq, at);
    if (!record) return;
    record.outcome = 'accepted';
    this.accepted += 1;
    if (record.buzzes > 0) this.buzzedAccepted += 1;
    if (orderId) {
      record.orderId = orderId;
      this.byOrderId.set(orderId, record);
      const early = this.orphanBuzzes.get(orderId);
      if (early) {
        this.orphanBuzzes.delete(orderId);
        for (const buzzAt of early) this.addBuzz(record, buzzAt);
      }
    }
  }

  fail(seq: number, at: number, failure: Failure): void {
    const record = this.answer(seq, at);
    if (record) record.outcome = failure;
  }

  private answer(seq: number, at: number): OrderRecord | undefined {
    const record = this.orders[seq];
    if (!record || record.outcome) return undefined;
    record.respondedAt = at;
    this.pendingAnswers -= 1;
    this.lastProgressAt = at;
    return record;
  }

  buzz(sighting: BuzzSighting, at: number): void {
    this.lastProgressAt = at;
    const record =
      (sighting.correlationId !== undefined
        ? this.byCorrelation.get(sighting.correlationId)
        : undefined) ??
      (sighting.orderId !== undefined ? this.byOrderId.get(sighting.orderId) : undefined);
    if (record) {
      if (record.orderId === undefined && sighting.orderId !== undefined) {
        record.orderId = sighting.orderId;
        this.byOrderId.set(sighting.orderId, record);
      }
      this.addBuzz(record, at);
    } else if (sighting.orderId !== undefined) {
      const early = this.orphanBuzzes.get(sighting.orderId) ?? [];
      early.push(at);
      this.orphanBuzzes.set(sighting.orderId, early);
    } else {
      this.unmatched += 1;
    }
  }

  private addBuzz(record: OrderRecord, at: number): void {
    record.buzzes += 1;
    if (record.firstBuzzAt === undefined) {
      record.firstBuzzAt = at;
      if (record.outcome === 'accepted') this.buzzedAccepted += 1;
    }
  }

  get sent(): number {
    return this.orders.length;
  }

  get answersPending(): number {
    return this.pendingAnswers;
  }

  get acceptedCount(): number {
    return this.accepted;
  }

  /** Accepted orders still waiting for their buzz. */
  get awaitingBuzz(): number {
    return this.accepted - this.buzzedAccepted;
  }

  get completedCount(): number {
    return this.buzzedAccepted;
  }

  /** True once every order has its answer and every accepted order its buzz. */
  get settled(): boolean {
    return this.pendingAnswers === 0 && this.awaitingBuzz === 0;
  }

  summary(): BookSummary {
    const failedBy = Object.fromEntries(FAILURE_REASONS.map((r) => [r, 0])) as Record<
      FailureReason,
      number
    >;
    const failedByHop: Record<string, number> = {};
    const failedByStatus: Record<string, number> = {};
    const client = new LatencyHistogram();
    const failedLatency = new LatencyHistogram();
    const buzz = new LatencyHistogram();
    const lag = new LatencyHistogram();
    let accepted = 0;
    let failed = 0;
    let completed = 0;
    let lost = 0;
    let duplicated = 0;
    let extraBuzzes = 0;
    let buzzedAfterFailure = 0;
    let lastCompletionAt: number | null = null;
    for (const record of this.orders) {
      if (record.sentAt !== undefined) lag.record(record.sentAt - record.scheduledAt);
      if (record.buzzes > 1) {
        duplicated += 1;
        extraBuzzes += record.buzzes - 1;
      }
      if (record.outcome === 'accepted') {
        accepted += 1;
        client.record((record.respondedAt ?? record.scheduledAt) - record.scheduledAt);
        if (record.firstBuzzAt !== undefined) {
          completed += 1;
          buzz.record(record.firstBuzzAt - record.scheduledAt);
          lastCompletionAt = Math.max(lastCompletionAt ?? 0, record.firstBuzzAt);
        } else {
          lost += 1;
        }
      } else {
        // No answer at all counts as a failure too: the client timed out or was stopped.
        const failure = record.outcome ?? { reason: 'timeout' as const, hop: 'client' };
        failed += 1;
        failedBy[failure.reason] += 1;
        const hop = failure.hop ?? 'client';
        failedByHop[hop] = (failedByHop[hop] ?? 0) + 1;
        const status = failure.status === undefined ? 'none' : String(failure.status);
        failedByStatus[status] = (failedByStatus[status] ?? 0) + 1;
        if (record.respondedAt !== undefined) {
          failedLatency.record(record.respondedAt - record.scheduledAt);
        }
        if (record.buzzes > 0) buzzedAfterFailure += 1;
      }
    }
    const orphans = [...this.orphanBuzzes.values()].reduce((sum, list) => sum + list.length, 0);
    return {
      counts: {
        sent: this.orders.length,
        accepted,
        failed,
        failedBy,
        failedByHop,
        failedByStatus,
        completed,
        lost,
        duplicated,
        extraBuzzes,
        buzzedAfterFailure,
        unmatchedBuzzes: this.unmatched + orphans,
      },
      clientLatency: client.summary(),
      failedLatency: failedLatency.summary(),
      buzzLatency: buzz.summary(),
      sendLag: lag.summary(),
      lastCompletionAt,
    };
  }

  /**
   * Per second from `origin` (load start): orders due, answers accepted or failed, first buzzes.
   * Covers the load and the drain up to `endAt`.
   */
  timeline(origin: number, endAt: number, queueSamples: QueueSample[] = []): TimelinePoint[] {
    const seconds = Math.max(1, Math.ceil((endAt - origin) / 1000));
    const points = Array.from({ length: seconds }, (_, second) => ({
      second,
      sent: 0,
      accepted: 0,
      failed: 0,
      completed: 0,
      queueDepth: undefined as number | undefined,
    }));
    const bucket = (at: number) =>
      points[Math.min(seconds - 1, Math.max(0, Math.floor((at - origin) / 1000)))];
    for (const record of this.orders) {
      bucket(record.scheduledAt).sent += 1;
      if (record.respondedAt !== undefined) {
        if (record.outcome === 'accepted') bucket(record.respondedAt).accepted += 1;
        else bucket(record.respondedAt).failed += 1;
      }
      if (record.firstBuzzAt !== undefined && record.outcome === 'accepted') {
        bucket(record.firstBuzzAt).completed += 1;
      }
    }
    for (const sample of queueSamples) {
      if (sample.at < origin || sample.at > endAt) continue;
      const point = bucket(sample.at);
      point.queueDepth = Math.max(point.queueDepth ?? 0, sample.depth);
    }
    return points.map(({ queueDepth, ...rest }) =>
      queueDepth === undefined ? rest : { ...rest, queueDepth },
    );
  }

  /**
   * Per second from `origin`: how many clients were still waiting for an answer and how many
   * accepted orders for their buzz at the end of the second, and the waits (until any answer) of
   * the orders due in it. An order never answered waits until `endAt`.
   */
  waitsBySecond(origin: number, endAt: number, seconds: number): SecondWaits[] {
    const waits = Array.from({ length: seconds }, () => [] as number[]);
    const points = Array.from({ length: seconds }, () => ({ awaitingAnswer: 0, awaitingBuzz: 0 }));
    for (const record of this.orders) {
      const sent = record.sentAt ?? record.scheduledAt;
      const answered = record.respondedAt ?? Infinity;
      const buzzed = record.outcome === 'accepted' ? (record.firstBuzzAt ?? Infinity) : -Infinity;
      const due = Math.floor((record.scheduledAt - origin) / 1000);
      if (due >= 0 && due < seconds)
        waits[due].push(Math.min(answered, endAt) - record.scheduledAt);
      for (let s = Math.max(0, Math.floor((sent - origin) / 1000)); s < seconds; s += 1) {
        const end = origin + (s + 1) * 1000;
        if (end < sent) continue;
        if (answered > end) points[s].awaitingAnswer += 1;
        else if (buzzed > end) points[s].awaitingBuzz += 1;
        else break;
      }
    }
    return points.map((point, s) => {
      const summary = waits[s].length > 0 ? summarize(waits[s]) : null;
      return {
        ...point,
        clientP50Ms: summary?.p50 ?? null,
        clientP99Ms: summary?.p99 ?? null,
        clientMaxMs: summary?.max ?? null,
      };
    });
  }

  /** The waits (until any answer) of the orders due in [from, to) (absolute times). */
  waitsBetween(from: number, to: number, endAt: number): LatencySummary {
    const waits: number[] = [];
    for (const record of this.orders) {
      if (record.scheduledAt < from || record.scheduledAt >= to) continue;
      waits.push(Math.min(record.respondedAt ?? Infinity, endAt) - record.scheduledAt);
    }
    return summarize(waits);
  }

  /** Accepted orders first buzzed in [from, to] (absolute times). */
  completedBetween(from: number, to: number): number {
    let count = 0;
    for (const record of this.orders) {
      const at = record.firstBuzzAt;
      if (record.outcome === 'accepted' && at !== undefined && at >= from && at <= to) count += 1;
    }
    return count;
  }

  /** The accepted orders: the correlation id the client sent and the order id answered. */
  acceptedOrders(): { correlationId: string; orderId: string }[] {
    return this.orders.flatMap((record) =>
      record?.outcome === 'accepted' && record.orderId !== undefined
        ? [{ correlationId: record.correlationId, orderId: record.orderId }]
        : [],
    );
  }

  /**
   * Every accepted order's wait for its answer and, if buzzed, for its first buzz (ms from its
   * scheduled send): raw values, so that several runs' orders can be pooled into one summary.
   */
  acceptedLatencies(): { client: number[]; buzz: number[] } {
    const client: number[] = [];
    const buzz: number[] = [];
    for (const record of this.orders) {
      if (record.outcome !== 'accepted') continue;
      client.push((record.respondedAt ?? record.scheduledAt) - record.scheduledAt);
      if (record.firstBuzzAt !== undefined) buzz.push(record.firstBuzzAt - record.scheduledAt);
    }
    return { client, buzz };
  }

  /** Whether an order id (from an answer or a buzz) belongs to this run. */
  knowsOrder(orderId: string): boolean {
    return this.byOrderId.has(orderId);
  }

  /** Every order's due time and first buzz relative to `origin` (ms), for the faults' recovery. */
  outcomes(origin: number): OrderOutcome[] {
    return this.orders.map((record) => ({
      dueMs: record.scheduledAt - origin,
      accepted: record.outcome === 'accepted',
      buzzedMs:
        record.outcome === 'accepted' && record.firstBuzzAt !== undefined
          ? record.firstBuzzAt - origin
          : null,
    }));
  }

  /** Orders due in [from, to) (absolute times) and what became of them: for outage windows. */
  window(from: number, to: number): WindowCounts {
    const result = { sent: 0, accepted: 0, failed: 0, completed: 0, lost: 0 };
    for (const record of this.orders) {
      if (record.scheduledAt < from || record.scheduledAt >= to) continue;
      result.sent += 1;
      if (record.outcome === 'accepted') {
        result.accepted += 1;
        if (record.firstBuzzAt !== undefined) result.completed += 1;
        else result.lost += 1;
      } else {
        result.failed += 1;
      }
    }
    return result;
  }
}

/** One second of {@link OrderBook.waitsBySecond}. */
export interface SecondWaits {
  readonly awaitingAnswer: number;
  readonly awaitingBuzz: number;
  readonly clientP50Ms: number | null;
  readonly clientP99Ms: number | null;
  readonly clientMaxMs: number | null;
}

/** What became of one order, in ms from load start. */
export interface OrderOutcome {
  readonly dueMs: number;
  readonly accepted: boolean;
  /** When its first buzz arrived; null if it was not accepted or never buzzed. */
  readonly buzzedMs: number | null;
}

export interface QueueSample {
  readonly at: number;
  readonly depth: number;
}

/** The accounting identities every run must satisfy; returns what does not add up. */
export function checkCounts(counts: Counts): string[] {
  const problems: string[] = [];
  if (counts.sent !== counts.accepted + counts.failed) {
    problems.push(`sent ${counts.sent} != accepted ${counts.accepted} + failed ${counts.failed}`);
  }
  if (counts.accepted !== counts.completed + counts.lost) {
    problems.push(
      `accepted ${counts.accepted} != completed ${counts.completed} + lost ${counts.lost}`,
    );
  }
  const byReason = Object.values(counts.failedBy).reduce((sum, n) => sum + n, 0);
  if (byReason !== counts.failed)
    problems.push(`failures by reason ${byReason} != failed ${counts.failed}`);
  return problems;
}

/** The middle value (the mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
