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

export const SCENARIOS = [
  'steady',
  'outage',
  'scale',
  'burst',
  'overhead',
  'faults',
  'replication',
  'soak',
  'tracing',
  'scale-out',
  'store-cost',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/**
 * Scenarios that run under rmq only: replication compares brokers; scale-out runs competing
 * consumers on one PostgreSQL database; store-cost compares stores under the async workload.
 */
export const RMQ_ONLY_SCENARIOS: readonly ScenarioName[] = [
  'replication',
  'scale-out',
  'store-cost',
];

/**
 * Scenarios that run only when named (or with `--scenario all`): soak and tracing would blow the
 * run's budget; scale-out and store-cost need a PostgreSQL server, which the default run does not.
 */
export const OPT_IN_SCENARIOS: readonly ScenarioName[] = [
  'soak',
  'tracing',
  'scale-out',
  'store-cost',
];

/** The scenarios that put the apps on PostgreSQL whatever --store says. */
export const POSTGRES_SCENARIOS: readonly ScenarioName[] = ['scale-out', 'store-cost'];

/** Where the apps keep their state: a SQLite file per process (default) or one PostgreSQL database. */
export const STORES = ['sqlite', 'postgres'] as const;
export type Store = (typeof STORES)[number];

/** What `npm run bench` runs without --scenario. */
export const DEFAULT_SCENARIOS: ScenarioName[] = SCENARIOS.filter(
  (name) => !OPT_IN_SCENARIOS.includes(name),
);

/**
 * What `--quick` runs without --scenario: the default set but replication, which starts the local
 * 3-node cluster (a minute or more here) and would more than double the quick run.
 */
export const QUICK_SCENARIOS: ScenarioName[] = DEFAULT_SCENARIOS.filter(
  (name) => name !== 'replication',
);

/**
 * The faults the `faults` scenario injects, in the order it runs them: barista killed with
 * SIGKILL; barista frozen (SIGSTOP, then SIGCONT: connections accepted, nothing answered);
 * barista's brew time raised tenfold for a while; pager frozen; RabbitMQ restarted (the shop is
 * stopped after it); on a 3-node cluster, the node that leads barista's queue stopped
 * (`stop_app`) or killed (`kill -9`) and started again, once with quorum and once with classic
 * queues (each on a shop of its own).
 */
export const FAULT_KINDS = [
  'barista',
  'barista-hang',
  'barista-slow',
  'pager-hang',
  'broker',
  'broker-node-loss',
  'broker-node-kill',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The faults that take one node of a 3-node RabbitMQ cluster away (issue 11). */
export const NODE_LOSS_FAULTS: readonly FaultKind[] = ['broker-node-loss', 'broker-node-kill'];

/** The apps' AMQP_QUEUE_TYPE. */
export const QUEUE_TYPES = ['quorum', 'classic'] as const;
export type QueueType = (typeof QUEUE_TYPES)[number];

/** Where a shop's queues live: the machine's own single broker, or the local 3-node cluster. */
export type BrokerKind = 'single' | 'cluster';

/** The faults in which a callee hangs or slows down rather than dies (issue 13). */
export const HUNG_CALLEE_FAULTS: readonly FaultKind[] = [
  'barista-hang',
  'barista-slow',
  'pager-hang',
];

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
  readonly p95: number;
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
  /** faults only: the fault injected, what became of the orders, how long recovery took. */
  readonly fault?: FaultFigures;
  /** soak only: each service's memory over the run and the verdict on its growth. */
  readonly soak?: SoakFigures;
  /** tracing only: whether the apps traced this run, its CPU per order, its traces. */
  readonly tracing?: TracingRunFigures;
  /** scale-out and store-cost: what the run cost the machine (apps, database server, load). */
  readonly cost?: CostFigures;
  readonly notes: string[];
}

/** What one run cost the machine: the apps, the PostgreSQL server, the load generator, the whole. */
export interface CostFigures {
  /** CPU seconds of every app process over load and drain. */
  readonly appCpuSeconds: number;
  /**
   * CPU seconds of the PostgreSQL server processes over the same window (from /proc): the
   * backends connected to the shop's database plus the server's background processes (WAL
   * writer, checkpointer, ...), which serve every database on the server. null on SQLite, or
   * when /proc does not show them (a server on another machine).
   */
  readonly databaseCpuSeconds: number | null;
  /** The load generator's own CPU seconds. */
  readonly benchCpuSeconds: number;
  /** (apps + database) CPU ms per completed order; null when none completed. */
  readonly cpuMsPerOrder: number | null;
  /** Apps + database + load generator, in percent of one core (the machine has `cores`). */
  readonly shopCpuPercent: number;
  /**
   * The whole machine's busy CPU (/proc/stat: every process, other users' too), in percent of
   * one core; null where /proc/stat cannot be read.
   */
  readonly machineCpuPercent: number | null;
  readonly cores: number;
  readonly windowSeconds: number;
}

/** scale-out, one step: N instances of order and barista, and the highest rate they sustained. */
export interface ScaleOutStep {
  readonly instances: number;
  /** The highest offered rate judged sustainable; null when none was. */
  readonly bestRate: number | null;
  /** The lowest rate tried above it that was not; null when none was (the limit is higher). */
  readonly firstUnsustainable: number | null;
  /** At the best rate: what completed, the latencies, and what it cost the cores. */
  readonly completedPerSec: number | null;
  readonly clientLatency: LatencySummary | null;
  readonly buzzLatency: LatencySummary | null;
  readonly cost: CostFigures | null;
  /** At the first unsustainable rate: the whole machine's CPU (where the cores ran out). */
  readonly overloadMachineCpuPercent: number | null;
  readonly overloadWhy: string | null;
}

/** One tried rate of a scale-out step's search. */
export interface ScaleOutTry {
  readonly instances: number;
  readonly rate: number;
  readonly sustainable: boolean;
  readonly why: string;
  readonly completedPerSec: number;
  readonly buzzP99Ms: number;
  readonly machineCpuPercent: number | null;
  readonly shopCpuPercent: number;
}

export interface ScaleOutSummary {
  readonly steps: ScaleOutStep[];
  readonly tries: ScaleOutTry[];
  readonly criteria: OverheadSummary['criteria'];
  /** A machine busier than this share of all its cores counts as out of cores. */
  readonly saturationShare: number;
  readonly cores: number;
}

/** store-cost, one store: its runs pooled. */
export interface StoreCostSide {
  readonly store: Store;
  readonly runs: number;
  readonly completed: number;
  readonly lost: number;
  /** Summed CPU over summed completed orders (ms): apps + database server. */
  readonly cpuMsPerOrder: number | null;
  readonly appCpuMsPerOrder: number | null;
  /** The database server's share of it (PostgreSQL only). */
  readonly databaseCpuMsPerOrder: number | null;
  /** Each run's cpuMsPerOrder, in run order, to show the spread. */
  readonly cpuMsPerOrderByRun: (number | null)[];
  /** Every run's orders pooled: scheduled send → answer / → buzz. */
  readonly clientLatency: LatencySummary;
  readonly buzzLatency: LatencySummary;
}

export interface StoreCostSummary {
  readonly rate: number;
  readonly durationMs: number;
  /** The stores in the order they ran (A B B A). */
  readonly sequence: Store[];
  readonly sqlite: StoreCostSide | null;
  readonly postgres: StoreCostSide | null;
  /** PostgreSQL over SQLite: CPU per order, buzz p50 and p99; null when a side is missing. */
  readonly cpuRatio: number | null;
  readonly buzzP50Ratio: number | null;
  readonly buzzP99Ratio: number | null;
  /** True when every PostgreSQL run cost more per order than every SQLite run. */
  readonly separated: boolean | null;
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

/** How long the shop took to complete orders normally again after a fault (see `recovery`). */
export interface RecoveryFigures {
  /** An order completes normally when it is accepted and buzzed within this many ms of its send. */
  readonly normalBuzzMs: number;
  /** Where the bound came from: `p99 before the fault` or a fallback. */
  readonly normalBuzzBasis: string;
  /** The share of the orders due in one second that must complete normally (0.9). */
  readonly share: number;
  /**
   * Whole seconds from the fault to the first one-second slot (counted from the fault) from which
   * every slot up to the end of the load had at least `share` of its orders complete normally;
   * null when that never happened within the load.
   */
  readonly recoverSeconds: number | null;
  /** From the fault to the last buzz of the orders accepted during it (due before healthy). */
  readonly backlogDrainedSeconds: number | null;
  /** The normal share of each slot after the fault, for the report (slot 0 starts at the fault). */
  readonly normalShareBySecond: number[];
}

export interface FaultFigures {
  readonly kind: FaultKind;
  /** What was done, e.g. `kill -9 barista#1, started again after 3.0 s`. */
  readonly action: string;
  /** Milliseconds since load start; null if the fault was never injected (interrupted). */
  readonly injectedAtMs: number | null;
  /** barista: the process had exited; broker: `rabbitmqctl stop_app` had returned. */
  readonly downAtMs: number | null;
  readonly restartedAtMs: number | null;
  /** barista: `/health` answered again; broker: ping and an AMQP connection succeeded. */
  readonly healthyAtMs: number | null;
  /** How the killed process ended, e.g. `signal SIGKILL` (barista only). */
  readonly exit?: string;
  /** Node-loss faults: the cluster node taken away (the leader or home of barista's queue). */
  readonly node?: string;
  /** Node-loss faults: who led barista's queue once the node was back (quorum: a new leader). */
  readonly leaderAfter?: string | null;
  /** The clients' wait for an answer (accept latency under rmq) of the orders due before the
   * fault and of those due while it lasted. */
  readonly waitBefore?: LatencySummary;
  readonly waitDuring?: LatencySummary;
  /** Orders due from the fault until healthy again. */
  readonly duringFault: WindowCounts;
  readonly beforeFault: WindowCounts;
  readonly afterFault: WindowCounts;
  readonly recovery: RecoveryFigures;
  /**
   * Orders whose `CoffeeBrewed` the broker carried with more than one message id, i.e. brewed more
   * than once (rmq, watched on a queue of the bench's own); null where not observable (http).
   */
  readonly brewedTwice: number | null;
  readonly extraBrews: number | null;
  /** Per second of the run: the orders, the clients' waits and the caller's (order's) health. */
  readonly series?: FaultSecond[];
  /** What the fault did to the caller (order), before it and while it lasted. */
  readonly callerHealth?: CallerHealthSummary;
}

/**
 * Order's own health in one second, as the bench probed it: the latency of two endpoints that
 * do not call barista or pager, what order held open towards each callee (http), its memory and
 * its event-loop delay. null where nothing was sampled that second (or the figure does not apply).
 */
export interface CallerHealthPoint {
  /** Slowest `GET /orders/:id` probe started in that second (ms; a probe that failed counts its wait). */
  readonly getOrderMs: number | null;
  /** Slowest `GET /orders` (the board's list) probe started in that second. */
  readonly listOrdersMs: number | null;
  /** Probes of either endpoint that failed or timed out in that second. */
  readonly probeFailures: number;
  /** Most calls order had under way to barista / pager (http, its `GET /downstreams`). */
  readonly baristaInFlight: number | null;
  readonly baristaSockets: number | null;
  readonly pagerInFlight: number | null;
  readonly pagerSockets: number | null;
  /** Order's resident memory (MB, highest sample). */
  readonly orderRssMb: number | null;
  /** Order's event-loop delay p99 over the sample (ms beyond the 10 ms monitoring interval). */
  readonly eventLoopDelayMs: number | null;
}

export interface FaultSecond extends CallerHealthPoint {
  readonly second: number;
  /** Orders due, answered accepted, answered failed, first buzzed in that second. */
  readonly sent: number;
  readonly accepted: number;
  readonly failed: number;
  readonly completed: number;
  /** At the end of the second: orders sent and not answered yet (clients waiting). */
  readonly awaitingAnswer: number;
  /** At the end of the second: accepted orders not buzzed yet. */
  readonly awaitingBuzz: number;
  /** The wait, until any answer, of the orders due in that second (ms); null when none was due. */
  readonly clientP50Ms: number | null;
  readonly clientP99Ms: number | null;
  readonly clientMaxMs: number | null;
  /** Deepest barista / pager queue seen in that second (rmq). */
  readonly baristaQueue?: number;
  readonly pagerQueue?: number;
}

export interface CallerHealthSummary {
  /** p99 of the `GET /orders/:id` probes before the fault, and from the fault until healthy. */
  readonly getOrderBeforeP99Ms: number | null;
  readonly getOrderDuringP99Ms: number | null;
  readonly getOrderMaxMs: number | null;
  readonly listOrdersBeforeP99Ms: number | null;
  readonly listOrdersDuringP99Ms: number | null;
  readonly probeFailures: number;
  readonly peakBaristaInFlight: number | null;
  readonly peakBaristaSockets: number | null;
  readonly peakPagerInFlight: number | null;
  readonly peakPagerSockets: number | null;
  readonly orderRssBeforeMb: number | null;
  readonly orderRssPeakMb: number | null;
  readonly eventLoopDelayBeforeMs: number | null;
  readonly eventLoopDelayPeakMs: number | null;
  /** The longest any order due during the fault waited for its answer (ms). */
  readonly clientWaitMaxMs: number | null;
  /** p99 of the same waits (accepted and failed alike). */
  readonly clientWaitP99Ms: number | null;
  /** Deepest backlog in the frozen or slowed service's queue (rmq). */
  readonly peakQueue: number | null;
  /** Coffees barista brewed during the run (its `GET /brews` total), and of them the ones for
   * orders that were not completed: work done and wasted (http). */
  readonly brews: number | null;
  readonly wastedBrews: number | null;
}
export interface MemoryPoint {
  /** Milliseconds since load start. */
  readonly atMs: number;
  readonly rssMb: number;
}

export interface HeapPoint {
  /** Milliseconds since load start. */
  readonly atMs: number;
  /** V8 heap used right after the app's last major GC (its /metrics). */
  readonly heapMb: number;
}

/**
 * What a soak judges a service's memory on: the heap after major GC where the app exposes it and
 * it was collected after warm-up (live objects only, so V8 growing its heap is not a leak), else
 * the resident set.
 */
export type MemoryMeasure = 'heap after GC' | 'RSS';

export interface ServiceMemory {
  /** `order`, `barista#1`, `pager`. */
  readonly service: string;
  readonly startMb: number;
  readonly endMb: number;
  readonly peakMb: number;
  /** What the levels, growth and verdict below are of. */
  readonly judgedOn: MemoryMeasure;
  /** Why the heap was not used, when it was not (the bare baseline, no major GC after warm-up). */
  readonly heapNote?: string;
  /** Median of the measure in the window right after the warm-up, and in the last window. */
  readonly afterWarmupMb: number | null;
  readonly endOfLoadMb: number | null;
  readonly growthMb: number | null;
  readonly growthPercent: number | null;
  /** growthMb over the orders completed between the two windows, in KB per order. */
  readonly perOrderKb: number | null;
  /** The RSS growth between the same windows, whatever the judged measure. */
  readonly rssGrowthMb: number | null;
  /** null when not judged (too short a run, or no samples). */
  readonly grows: boolean | null;
  readonly series: MemoryPoint[];
  /** Heap after major GC over the run, when the app exposes it. */
  readonly heapSeries?: HeapPoint[];
}

export interface SoakCriteria {
  /** The first part of the load, not judged: heaps, JIT and pools grow to their working size. */
  readonly warmupShare: number;
  /** Each of the two windows compared, as a share of the load. */
  readonly windowShare: number;
  /** Growth is flagged above max(growthMb, growthShare × the level after warm-up). */
  readonly growthMb: number;
  /** The same floor for the heap after GC, which is a few tens of MB where RSS is a hundred. */
  readonly heapGrowthMb: number;
  readonly growthShare: number;
  /** Less load than this after the warm-up is too short to judge. */
  readonly minJudgedMs: number;
}

export interface SoakFigures {
  readonly criteria: SoakCriteria;
  readonly warmupMs: number;
  readonly services: ServiceMemory[];
  /** True if any service grew beyond the threshold; null when not judged. */
  readonly flagged: boolean | null;
  readonly verdict: string;
}

/** One run of the tracing scenario: the same steady load with OpenTelemetry off or on. */
export interface TracingRunFigures {
  readonly on: boolean;
  /** CPU time of order, barista(s) and pager over the run, per completed order (ms). */
  readonly cpuMsPerOrder: number | null;
  /** Tracing on: how the run's orders came out as traces; null when off. */
  readonly traces: TraceCount | null;
}

/** The accepted orders of a run against the traces the OTLP receiver got for them. */
export interface TraceCount {
  readonly orders: number;
  /** Distinct traces that an order's `create order.placed` span (by its correlation id) is in. */
  readonly traces: number;
  /** Of those, traces that reached the pager's `buzz customer` span. */
  readonly complete: number;
  /** Orders without a `create order.placed` span received. */
  readonly missing: number;
  /** Orders whose spans (`shop.order.id`) are spread over more than one trace. */
  readonly split: number;
}

/** Tracing off vs on over the alternating rounds, for one transport. */
export interface TracingSummary {
  readonly rounds: number;
  readonly off: TracingSide;
  readonly on: TracingSide;
  /** on − off, CPU per order (ms) and in percent of off; null when either is missing. */
  readonly cpuMsPerOrderDelta: number | null;
  readonly cpuPercentDelta: number | null;
  /** Over every tracing-on run. */
  readonly traces: TraceCount;
  /** True when every accepted order of the tracing-on runs is exactly one complete trace. */
  readonly oneTracePerOrder: boolean;
}

/** One side (off or on) of the tracing scenario, over all its rounds. */
export interface TracingSide {
  readonly orders: number;
  /** Summed CPU time over summed completed orders (ms). */
  readonly cpuMsPerOrder: number | null;
  /** Median over the rounds of each run's p50 and p99 (ms). */
  readonly clientP50Ms: number;
  readonly clientP99Ms: number;
  readonly buzzP50Ms: number;
  readonly buzzP99Ms: number;
  /** Highest RSS of order over the rounds (MB): the SDK loaded shows here too. */
  readonly orderPeakRssMb: number;
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
  /** rmq: the broker the shop ran on and the queue type it declared (unset: single, the apps'
   * default queue type). */
  readonly broker?: BrokerKind;
  readonly queueType?: QueueType;
  /** Where the apps kept their state (unset: SQLite, as before the flag existed). */
  readonly store?: Store;
  /** Order instances the load was spread over (unset: 1). */
  readonly orders?: number;
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

/** One broker set-up the replication scenario compares. */
export interface ReplicationSystem {
  /** `single classic`, `cluster quorum`, `cluster classic`. */
  readonly name: string;
  readonly broker: BrokerKind;
  readonly queueType: QueueType;
  /** Nodes holding each queue's messages: 1, or 3 for quorum on the cluster. */
  readonly replicas: number;
}

/** Replication scenario, one system: its fixed-rate rounds pooled, and its rate search. */
export interface ReplicationFigures extends ReplicationSystem {
  readonly rate: number;
  readonly rounds: number;
  readonly sent: number;
  readonly lost: number;
  readonly failed: number;
  /** Every round's orders pooled: scheduled send → answer / → buzz. */
  readonly clientLatency: LatencySummary;
  readonly buzzLatency: LatencySummary;
  /** Each round's p99, in round order, to show the spread. */
  readonly clientP99ByRound: number[];
  readonly buzzP99ByRound: number[];
  /** Highest sustainable step of the search (brew 0); null if none was. */
  readonly best: OverheadBest | null;
  /** The lowest rate tried above `best` that was not sustainable; null if none. */
  readonly firstUnsustainable: number | null;
}

/** One step of a replication system's rate search (brew 0), as the overhead scenario judges it. */
export interface ReplicationStep {
  readonly system: string;
  readonly rate: number;
  readonly sustainable: boolean;
  readonly why: string;
  readonly sent: number;
  readonly failed: number;
  readonly lost: number;
  readonly completedPerSec: number;
  readonly clientP99Ms: number;
  readonly buzzP99Ms: number;
}

export interface ReplicationSummary {
  readonly systems: ReplicationFigures[];
  readonly steps: ReplicationStep[];
  /** Orders/s of the fixed-rate rounds, and their brew settings. */
  readonly rate: number;
  readonly brewMs: number;
  readonly criteria: OverheadSummary['criteria'];
  /** Why a system was not measured (e.g. the cluster could not be started). */
  readonly skipped?: { readonly system: string; readonly reason: string }[];
}

export interface ScenarioResult {
  readonly scenario: ScenarioName;
  readonly transport: Transport;
  /** The column it is shown in: the transport, or `http+defences`. */
  readonly variant: Variant;
  readonly runs: RunResult[];
  readonly overhead?: OverheadSummary;
  readonly steps?: OverheadStep[];
  /** tracing only: off vs on over the rounds. */
  readonly tracing?: TracingSummary;
  /** replication only: each broker set-up's pooled latencies and highest sustainable rate. */
  readonly replication?: ReplicationSummary;
  /** scale-out only: each instance count's highest sustainable rate and what it cost. */
  readonly scaleOut?: ScaleOutSummary;
  /** store-cost only: SQLite against PostgreSQL, per order. */
  readonly storeCost?: StoreCostSummary;
  /** Parts of the scenario not run, and why (faults: the broker restart under http). */
  readonly skipped?: { readonly label: string; readonly reason: string }[];
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
  /** The PostgreSQL server's version, when the run used one. */
  readonly postgres?: string | null;
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
