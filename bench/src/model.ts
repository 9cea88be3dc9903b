/** The vocabulary shared by the harness: what was asked for and what was measured. */

export const TRANSPORTS = ['http', 'rmq'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/**
 * The systems compared side by side: each transport, and http a second time with order's
 * defences on (retries and circuit breakers, HTTP_DEFENCES=on). Plain `http` runs with them off:
 * the sync pattern at its simplest, which is what the article describes.
 */
export const VARIANTS = ['http', 'http+defences', 'rmq'] as const;
export type Variant = (typeof VARIANTS)[number];

/** Order's HTTP_DEFENCES switch, for the http variants. */
export type HttpDefences = 'on' | 'off';

export function transportOf(variant: Variant): Transport {
  return variant === 'rmq' ? 'rmq' : 'http';
}

/** HTTP_DEFENCES for order under `variant`; null for rmq, where it does not apply. */
export function httpDefencesOf(variant: Variant): HttpDefences | null {
  return variant === 'rmq' ? null : variant === 'http+defences' ? 'on' : 'off';
}

export function variantOf(transport: Transport, httpDefences: HttpDefences | null): Variant {
  return transport === 'http' && httpDefences === 'on' ? 'http+defences' : transport;
}

export const SCENARIOS = ['steady', 'outage', 'scale', 'burst', 'overhead'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** The NestJS apps under test, or the bare baseline of the same three hops. */
export type SystemKind = 'nest' | 'baseline';

export const FAILURE_REASONS = ['timeout', '5xx', 'refused', 'other'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A span of the load at one rate (orders per second). */
export interface RatePhase {
  readonly durationMs: number;
  readonly rate: number;
}

/** Percentiles in milliseconds; zeros when nothing was recorded (`count` says so). */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface Counts {
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
  readonly failedBy: Record<FailureReason, number>;
  /** Failed answers by the hop the order app blamed (`barista`, `pager`, `broker`), or `client`. */
  readonly failedByHop: Record<string, number>;
  readonly failedByStatus: Record<string, number>;
  /** Accepted and buzzed at least once. */
  readonly completed: number;
  /** Accepted but never buzzed by the end of the drain. */
  readonly lost: number;
  /** Orders buzzed more than once. */
  readonly duplicated: number;
  /** Buzzes beyond the first, summed over the duplicated orders. */
  readonly extraBuzzes: number;
  /** Refused to the client yet buzzed anyway (work done for an order the customer was told failed). */
  readonly buzzedAfterFailure: number;
  /** Buzzes that matched no order of this run. */
  readonly unmatchedBuzzes: number;
}

/** One second of the run, counted by when things happened (response, buzz), relative to load start. */
export interface TimelinePoint {
  readonly second: number;
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
  readonly completed: number;
  /** Deepest barista queue seen in that second (rmq only). */
  readonly queueDepth?: number;
}

export interface ProcessUsage {
  readonly role: string;
  readonly instance: number;
  readonly pids: number[];
  /** CPU time used during the measured window (user + system), all incarnations summed. */
  readonly cpuSeconds: number;
  /** cpuSeconds over the window's length, in percent of one core. */
  readonly cpuPercent: number;
  readonly peakRssMb: number;
}

export interface TimedEvent {
  /** Milliseconds since load start. */
  readonly atMs: number;
  readonly what: string;
}

export interface Throughput {
  /** Orders per second asked for over the load window. */
  readonly offeredPerSec: number;
  /** Orders the client actually sent per second (lower than offered if the generator lagged). */
  readonly sentPerSec: number;
  /** Completed orders over the time from load start to the last completion. */
  readonly completedPerSec: number;
  /** Completions that happened inside the load window, over its length. */
  readonly completedPerSecDuringLoad: number;
  readonly loadSeconds: number;
  readonly drainSeconds: number;
}

/** Order's calls to one downstream service over a run (http, from order's GET /downstreams). */
export interface DownstreamCallCounts {
  /** One per order and hop. */
  readonly calls: number;
  /** Requests actually sent, retries included. */
  readonly attempts: number;
  readonly retries: number;
  /** Calls an open circuit failed at once, without a request. */
  readonly failedFast: number;
}

/** One load run against one started system: the unit every figure belongs to. */
export interface RunResult {
  readonly label: string;
  readonly system: SystemKind;
  readonly params: RunParams;
  readonly counts: Counts;
  /** Scheduled send → answer, accepted orders only. */
  readonly clientLatency: LatencySummary;
  /** Scheduled send → answer, failed orders only. */
  readonly failedLatency: LatencySummary;
  /** Scheduled send → the pager's buzz reached the client. */
  readonly buzzLatency: LatencySummary;
  /** Scheduled send → actually handed to the HTTP client: the load generator's own lag. */
  readonly sendLag: LatencySummary;
  readonly throughput: Throughput;
  readonly timeline: TimelinePoint[];
  /** Deepest depth seen per queue (rmq only), by short name (`barista`, `order`, ...). */
  readonly peakQueueDepth: Record<string, number> | null;
  readonly processes: ProcessUsage[];
  /** The load generator's own process. */
  readonly benchCpuSeconds: number;
  readonly events: TimedEvent[];
  /** `GET /buzzes` total at the end, as a cross-check of the stream. */
  readonly pagerBuzzTotal: number | null;
  readonly streamBuzzes: number;
  /** Order's calls per downstream service during the run; null where order does not count
   * them (rmq, the bare baseline). */
  readonly downstreamCalls: Record<string, DownstreamCallCounts> | null;
  /** outage only: when barista was down and what became of the orders due meanwhile. */
  readonly outage?: OutageFigures;
  readonly notes: string[];
}

export interface WindowCounts {
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
  readonly completed: number;
  readonly lost: number;
}

export interface OutageFigures {
  /** Milliseconds since load start. */
  readonly stoppedAtMs: number;
  readonly exitedAtMs: number | null;
  readonly restartedAtMs: number | null;
  readonly healthyAtMs: number | null;
  /** Orders due from the SIGTERM until barista was healthy again. */
  readonly duringOutage: WindowCounts;
  readonly beforeOutage: WindowCounts;
  readonly afterOutage: WindowCounts;
}

export interface RunParams {
  readonly transport: Transport;
  /** Order's HTTP_DEFENCES (http), null under rmq. */
  readonly httpDefences: HttpDefences | null;
  readonly phases: RatePhase[];
  readonly brewMs: number;
  readonly machines: number;
  readonly baristas: number;
  readonly namespace: string;
}

export interface OverheadStep {
  readonly system: SystemKind;
  readonly rate: number;
  readonly sustainable: boolean;
  readonly why: string;
  readonly run: RunResult;
}

export interface OverheadSummary {
  readonly criteria: {
    readonly maxFailed: number;
    readonly buzzP99Ms: number;
    readonly sendLagP99Ms: number;
  };
  readonly nest: OverheadBest | null;
  readonly baseline: OverheadBest | null;
  /** nest completed/s over baseline completed/s at each one's best sustainable rate. */
  readonly ratio: number | null;
  readonly baselineSkipped?: string;
}

export interface OverheadBest {
  readonly rate: number;
  readonly completedPerSec: number;
  readonly lost: number;
  readonly clientP99Ms: number;
  readonly buzzP99Ms: number;
  /** True when even the highest step tried was sustainable: the real limit is higher. */
  readonly limitNotReached: boolean;
}

export interface ScenarioResult {
  readonly scenario: ScenarioName;
  readonly transport: Transport;
  /** The column it is shown in: the transport, or `http+defences`. */
  readonly variant: Variant;
  readonly runs: RunResult[];
  readonly overhead?: OverheadSummary;
  readonly steps?: OverheadStep[];
  readonly error?: string;
  readonly wallSeconds: number;
}

export interface Finding {
  readonly id: string;
  readonly claim: string;
  /** null when the run did not include what the finding needs. */
  readonly holds: boolean | null;
  readonly figures: Record<string, number | string | null>;
  readonly explanation: string;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGb: number;
  readonly os: string;
  readonly node: string;
  readonly rabbitmq: string | null;
}

export interface BenchResults {
  readonly tool: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly options: Record<string, unknown>;
  readonly machine: MachineInfo;
  readonly versions: Record<string, string | null>;
  readonly git: { readonly commit: string | null; readonly dirty: boolean | null };
  readonly scenarios: ScenarioResult[];
  readonly findings: Finding[];
  readonly errors: string[];
}
