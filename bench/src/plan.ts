import type { BenchOptions } from './cli';
import {
  NODE_LOSS_FAULTS,
  POSTGRES_SCENARIOS,
  RMQ_ONLY_SCENARIOS,
  VARIANTS,
  type FaultKind,
  type MemoryMeasure,
  type QueueType,
  type RatePhase,
  type ReplicationSystem,
  type ScenarioName,
  type SoakCriteria,
  type Store,
  type Variant,
} from './model';

/** How long to wait for the last answers and buzzes once the load has stopped. */
export interface DrainPlan {
  /** Give up when nothing (answer or buzz) arrived for this long. */
  readonly idleMs: number;
  /** Give up after this long whatever happens. */
  readonly maxMs: number;
}

export interface ShopSettings {
  readonly brewMs: number;
  readonly machines: number;
  readonly baristas: number;
  /** Order's BARISTA_TIMEOUT_MS for this scenario (http); unset: `timeouts.baristaMs`. */
  readonly baristaTimeoutMs?: number;
}

export interface SteadyPlan extends ShopSettings {
  readonly phases: RatePhase[];
}

export interface OutagePlan extends SteadyPlan {
  /** When barista gets SIGTERM, from load start. */
  readonly stopAtMs: number;
  /** How long it stays down before it is started again. */
  readonly downMs: number;
}

export interface FaultsPlan extends SteadyPlan {
  /** Injected one per measured run, in this order. */
  readonly kinds: FaultKind[];
  /** When the fault is injected, from load start. */
  readonly faultAtMs: number;
  /** How long after the fault the killed barista or the stopped broker is started again. */
  readonly downMs: number;
  /** How long barista or pager stays frozen (SIGSTOP until SIGCONT), or barista slowed. */
  readonly hangMs: number;
  /** barista-slow: brew time × this while it lasts. */
  readonly slowFactor: number;
  /** Longest wait for RabbitMQ to accept connections again after `start_app`. */
  readonly brokerUpTimeoutMs: number;
  /** Recovery: the share of each second's orders that must complete normally ... */
  readonly recoveryShare: number;
  /** ... within max(normalBuzzFloorMs, normalBuzzFactor × the buzz p99 before the fault). */
  readonly normalBuzzFactor: number;
  readonly normalBuzzFloorMs: number;
  /** broker-node-loss / broker-node-kill: a run of their own on the 3-node cluster. */
  readonly nodeLoss: NodeLossPlan;
}

/** The node-loss faults: longer than the others, since a node takes seconds to come back. */
export interface NodeLossPlan {
  readonly phases: RatePhase[];
  readonly faultAtMs: number;
  /** How long the node stays stopped (stop_app) or dead (kill -9) before it is started again. */
  readonly downMs: number;
  /** Longest wait for the node to run and accept AMQP connections again. */
  readonly upTimeoutMs: number;
  /** One run per queue type, each on a shop of its own. */
  readonly queueTypes: QueueType[];
}

/** The replication scenario: broker set-ups compared in one run, their rounds alternated. */
export interface ReplicationPlan {
  readonly systems: ReplicationSystem[];
  /** Fixed-rate rounds per system, alternating between the systems. */
  readonly rounds: number;
  /** One round's load: the fixed rate. */
  readonly phases: RatePhase[];
  readonly brewMs: number;
  readonly machines: number;
  readonly drain: DrainPlan;
  /** The rate search, stepped and judged as the overhead scenario's. */
  readonly search: Pick<
    OverheadPlan,
    'rates' | 'stepMs' | 'leadInMs' | 'refine' | 'drain' | 'buzzP99Ms' | 'sendLagP99Ms'
  >;
}

export interface SoakPlan extends SteadyPlan {
  readonly criteria: SoakCriteria;
  /** How often each process's memory is sampled. */
  readonly sampleMs: number;
}

export interface TracingPlan extends SteadyPlan {
  /** Rounds of one run with tracing off and one with it on, the order alternating each round. */
  readonly rounds: number;
  /** After a tracing-on run, how long to wait for the last spans to be exported (bounded). */
  readonly flushMs: number;
}

export interface ScalePlan {
  readonly rate: number;
  readonly durationMs: number;
  readonly brewMs: number;
  readonly machines: number;
  readonly instances: number[];
}

export interface OverheadPlan {
  readonly machines: number;
  /** Rates tried in order until one is not sustainable. */
  readonly rates: number[];
  readonly stepMs: number;
  /**
   * Uncounted load at the step's rate just before it, so the step measures the shop at that rate
   * rather than the jump to it (connection pools growing, JIT). Skipped in quick mode for time.
   */
  readonly leadInMs: number;
  /** Always measured for the apps under test, whatever the search found (accept-latency target). */
  readonly probeRate: number;
  /** After the first unsustainable step, try the rate halfway to the last good one. */
  readonly refine: boolean;
  readonly drain: DrainPlan;
  /** A step is sustainable when every order was accepted and buzzed within the drain, and its
   * buzz p99 stayed within this bound. */
  readonly buzzP99Ms: number;
  /** Above this, a step's verdict names the load generator's lag (the cores were saturated). */
  readonly sendLagP99Ms: number;
}

/** A stepped search for the highest sustainable rate, judged as the overhead scenario's steps. */
export type RateSearchPlan = Pick<
  OverheadPlan,
  'rates' | 'stepMs' | 'leadInMs' | 'refine' | 'drain' | 'buzzP99Ms' | 'sendLagP99Ms'
>;

/** scale-out: N instances of order and of barista (one pager) on one PostgreSQL database, rmq. */
export interface ScaleOutPlan {
  /** Instances of order and of barista at each step (as many of each). */
  readonly instances: number[];
  readonly brewMs: number;
  readonly machines: number;
  /** Each step's highest sustainable rate, searched from these rates up. */
  readonly search: RateSearchPlan;
  /** A machine whose busy CPU reaches this share of all its cores has run out of them. */
  readonly saturationShare: number;
  /** PostgreSQL connections each app instance may open (DATABASE_POOL_MAX). */
  readonly poolMax: number;
}

/** store-cost: the same rmq load on SQLite and on PostgreSQL, alternating. */
export interface StoreCostPlan {
  readonly rate: number;
  readonly durationMs: number;
  readonly brewMs: number;
  readonly machines: number;
  /** The stores in the order they run: A B B A, so that a drift of the machine weighs on both. */
  readonly sequence: Store[];
  readonly drain: DrainPlan;
}

/** One system compared, and the scenarios it runs. */
export interface VariantPlan {
  readonly variant: Variant;
  readonly scenarios: ScenarioName[];
}

export interface BenchPlan {
  readonly quick: boolean;
  readonly scenarios: ScenarioName[];
  /** In report order; a variant with no scenario to run is left out. */
  readonly variants: VariantPlan[];
  readonly baseline: boolean;
  readonly steady: SteadyPlan;
  readonly outage: OutagePlan;
  readonly scale: ScalePlan;
  readonly burst: SteadyPlan & { readonly spikeFactor: number };
  readonly overhead: OverheadPlan;
  readonly faults: FaultsPlan;
  readonly replication: ReplicationPlan;
  readonly soak: SoakPlan;
  readonly tracing: TracingPlan;
  readonly scaleOut: ScaleOutPlan;
  readonly storeCost: StoreCostPlan;
  /** Where the apps keep their state in every scenario but scale-out and store-cost. */
  readonly store: Store;
  readonly drain: DrainPlan;
  readonly timeouts: {
    readonly baristaMs: number;
    readonly pagerMs: number;
    /** The load client's own limit: longer than the order app's worst case. */
    readonly clientMs: number;
    readonly startupMs: number;
  };
  readonly logLevel: string;
  /** Most connections the load client opens to order (opened only as concurrency needs them). */
  readonly connections: number;
  /** Uncounted load before each measured system's first run, so JIT warm-up is not measured. */
  readonly warmupMs: number;
  readonly warmupDrain: DrainPlan;
}

const DEFAULT_RATE = 100;
const QUICK_RATE = 50;
const DEFAULT_BREW_MS = 50;
const DEFAULT_MACHINES = 8;
const SCALE_MACHINES = 2;
const OVERHEAD_MACHINES = 100;
const FULL_OVERHEAD_RATES = [250, 500, 1000, 2000, 3000, 4000, 6000, 8000, 12000, 16000];
const QUICK_OVERHEAD_RATES = [250, 1000];
/** When a fault's recovery counts as done (see recoveryOf in scenarios/faults.ts). */
export const RECOVERY_CRITERIA = {
  recoveryShare: 0.9,
  normalBuzzFactor: 3,
  normalBuzzFloorMs: 250,
} as const;
/** When a soak's memory counts as growing (see judgeSoak in scenarios/soak.ts). */
export const SOAK_CRITERIA: SoakCriteria = {
  warmupShare: 0.25,
  windowShare: 0.1,
  growthMb: 8,
  heapGrowthMb: 4,
  growthShare: 0.1,
  minJudgedMs: 30000,
};
/** The soak's growth threshold as the reports state it. */
export function soakThresholdText(criteria: SoakCriteria, measure: MemoryMeasure = 'RSS'): string {
  const floor = measure === 'RSS' ? criteria.growthMb : criteria.heapGrowthMb;
  return `max(${floor} MB, ${Math.round(criteria.growthShare * 100)} %)`;
}
/** A moderate rate for minutes on end: half of steady's. */
const SOAK_RATE = 50;
/** The broker restart takes seconds and disconnects every client of the local RabbitMQ. */
const QUICK_FAULTS: FaultKind[] = ['barista', 'barista-hang', 'barista-slow', 'pager-hang'];
/** The node-loss faults need the 3-node cluster, which takes a minute or more to start here. */
const FULL_FAULTS: FaultKind[] = [
  ...QUICK_FAULTS,
  'broker',
  'broker-node-loss',
  'broker-node-kill',
];
/**
 * What the replication scenario compares: the machine's own single broker with classic queues
 * (one copy of each message), the 3-node cluster with quorum queues (three copies, a majority
 * confirms) and the same cluster with classic queues (one copy, on one of three nodes).
 */
export const REPLICATION_SYSTEMS: ReplicationSystem[] = [
  { name: 'single classic', broker: 'single', queueType: 'classic', replicas: 1 },
  { name: 'cluster quorum', broker: 'cluster', queueType: 'quorum', replicas: 3 },
  { name: 'cluster classic', broker: 'cluster', queueType: 'classic', replicas: 1 },
];
const FULL_REPLICATION_RATES = [100, 250, 500, 1000, 1500, 2000, 3000, 4000];
const FULL_SCALE_OUT_RATES = [50, 100, 200, 400, 800, 1600];
const QUICK_SCALE_OUT_RATES = [50, 100];
const QUICK_REPLICATION_RATES = [100, 250];
/**
 * Order's barista timeout in the faults scenario: shorter than a hang, so that the sync caller's
 * timeout, retries and breaker all come into play while barista does not answer (with the 10 s
 * of the other scenarios, a few seconds' hang would only be waited out).
 */
const FAULTS_BARISTA_TIMEOUT_MS = 2000;

const seconds = (s: number) => Math.round(s * 1000);

/** Burst: base rate, then `factor` times it for a fifth of the time, then base again. */
export function burstPhases(rate: number, durationMs: number, factor: number): RatePhase[] {
  const spikeMs = Math.round(durationMs * 0.2);
  const beforeMs = Math.round((durationMs - spikeMs) / 2);
  return [
    { durationMs: beforeMs, rate },
    { durationMs: spikeMs, rate: rate * factor },
    { durationMs: durationMs - spikeMs - beforeMs, rate },
  ];
}

/** Rates for the overhead search, capped at `maxRate` (which is always tried last). */
export function overheadRates(base: number[], maxRate: number | undefined): number[] {
  if (maxRate === undefined) return base;
  const below = base.filter((rate) => rate < maxRate);
  return [...below, maxRate];
}

/**
 * Where `http+defences` runs unless --transport names it: where order's defences make a
 * difference to see (the outage, a killed barista), where they should cost nothing (steady), and
 * the soak (when asked for), since they wrap every call and a leak in them would show there.
 * Elsewhere nothing fails, and the quick run stays short.
 */
export const DEFENDED_SCENARIOS: readonly ScenarioName[] = ['steady', 'outage', 'faults', 'soak'];

/** Which scenarios each variant runs: those asked for, and http+defences as above by default. */
export function variantPlans(options: Pick<BenchOptions, 'scenarios' | 'variants' | 'system'>) {
  const named = options.variants;
  const variants =
    named ?? VARIANTS.filter((v) => v !== 'http+defences' || options.system !== 'baseline');
  return variants
    .map((variant) => ({
      variant,
      scenarios: (variant === 'http+defences' && !named
        ? options.scenarios.filter((s) => DEFENDED_SCENARIOS.includes(s))
        : options.scenarios
      ).filter((s) => variant === 'rmq' || !RMQ_ONLY_SCENARIOS.includes(s)),
    }))
    .filter((plan) => plan.scenarios.length > 0);
}

/** Turns the flags into every scenario's parameters; flags override the defaults they name. */
export function buildPlan(options: BenchOptions): BenchPlan {
  const quick = options.quick;
  const rate = options.rate ?? (quick ? QUICK_RATE : DEFAULT_RATE);
  const brewMs = options.brewMs ?? DEFAULT_BREW_MS;
  const machines = options.machines ?? DEFAULT_MACHINES;
  const duration = (full: number, short: number) =>
    seconds(options.durationS ?? (quick ? short : full));
  const steadyMs = duration(20, 2);
  const outageMs = duration(20, 4);
  const burstMs = duration(12, 2);
  const faultsMs = duration(20, 6);
  const nodeLossMs = duration(30, 15);
  const roundMs = duration(8, 3);
  const soakMs = duration(180, 8);
  const tracingMs = duration(10, 3);
  const baristaMs = 10000;
  const pagerMs = 2000;
  return {
    quick,
    scenarios: options.scenarios,
    variants: variantPlans(options),
    baseline: options.baseline,
    steady: { phases: [{ durationMs: steadyMs, rate }], brewMs, machines, baristas: 1 },
    outage: {
      phases: [{ durationMs: outageMs, rate }],
      brewMs,
      machines,
      baristas: 1,
      stopAtMs: Math.round(outageMs * 0.25),
      downMs: Math.round(outageMs * (quick ? 0.375 : 0.25)),
    },
    scale: {
      // One barista brews 40/s with the default 2 machines and 50 ms: offer more than that.
      rate: options.rate ?? (quick ? 60 : DEFAULT_RATE),
      durationMs: duration(10, 1.5),
      brewMs,
      machines: options.machines ?? SCALE_MACHINES,
      instances: [1, 3],
    },
    burst: {
      phases: burstPhases(rate, burstMs, quick ? 4 : 5),
      spikeFactor: quick ? 4 : 5,
      brewMs,
      machines,
      baristas: 1,
    },
    overhead: {
      machines: OVERHEAD_MACHINES,
      rates: overheadRates(quick ? QUICK_OVERHEAD_RATES : FULL_OVERHEAD_RATES, options.maxRate),
      stepMs: quick ? 1000 : 4000,
      leadInMs: quick ? 0 : 1000,
      probeRate: 1000,
      refine: !quick,
      drain: quick ? { idleMs: 1000, maxMs: 3000 } : { idleMs: 3000, maxMs: 10000 },
      buzzP99Ms: quick ? 500 : 250,
      sendLagP99Ms: 50,
    },
    faults: {
      phases: [{ durationMs: faultsMs, rate }],
      brewMs,
      machines,
      baristas: 1,
      baristaTimeoutMs: FAULTS_BARISTA_TIMEOUT_MS,
      kinds: options.faults ?? (quick ? QUICK_FAULTS : FULL_FAULTS),
      faultAtMs: Math.round(faultsMs * 0.25),
      downMs: Math.round(faultsMs * (quick ? 0.15 : 0.1)),
      // Several seconds, longer than the timeout, and never more than half the load.
      hangMs: Math.min(Math.round(faultsMs * 0.5), Math.max(3000, Math.round(faultsMs * 0.25))),
      slowFactor: 10,
      brokerUpTimeoutMs: 60000,
      ...RECOVERY_CRITERIA,
      nodeLoss: {
        phases: [{ durationMs: nodeLossMs, rate }],
        faultAtMs: Math.round(nodeLossMs * 0.2),
        downMs: quick ? 3000 : 5000,
        upTimeoutMs: 120000,
        queueTypes: ['quorum', 'classic'],
      },
    },
    replication: {
      systems: REPLICATION_SYSTEMS,
      rounds: quick ? 2 : 3,
      phases: [{ durationMs: roundMs, rate }],
      // Brew 0 and machines to spare: the latency left is the messaging's, replication included.
      brewMs: 0,
      machines: OVERHEAD_MACHINES,
      drain: quick ? { idleMs: 1000, maxMs: 5000 } : { idleMs: 2000, maxMs: 15000 },
      search: {
        rates: overheadRates(
          quick ? QUICK_REPLICATION_RATES : FULL_REPLICATION_RATES,
          options.maxRate,
        ),
        stepMs: quick ? 1500 : 4000,
        leadInMs: quick ? 0 : 1000,
        refine: !quick,
        drain: quick ? { idleMs: 1000, maxMs: 3000 } : { idleMs: 3000, maxMs: 10000 },
        buzzP99Ms: quick ? 500 : 250,
        sendLagP99Ms: 50,
      },
    },
    soak: {
      phases: [{ durationMs: soakMs, rate: options.rate ?? (quick ? QUICK_RATE : SOAK_RATE) }],
      brewMs,
      machines,
      baristas: 1,
      sampleMs: quick ? 250 : 1000,
      criteria: SOAK_CRITERIA,
    },
    tracing: {
      phases: [{ durationMs: tracingMs, rate }],
      brewMs,
      machines,
      baristas: 1,
      rounds: quick ? 2 : 4,
      flushMs: 20000,
    },
    scaleOut: {
      instances: [1, 2, 3],
      // Brew 0 and machines to spare: what a step sustains is what its CPU and store allow.
      brewMs: options.brewMs ?? 0,
      machines: options.machines ?? OVERHEAD_MACHINES,
      search: {
        rates: overheadRates(quick ? QUICK_SCALE_OUT_RATES : FULL_SCALE_OUT_RATES, options.maxRate),
        stepMs: seconds(options.durationS ?? (quick ? 1.5 : 4)),
        leadInMs: quick ? 0 : 1000,
        refine: !quick,
        drain: quick ? { idleMs: 1000, maxMs: 3000 } : { idleMs: 3000, maxMs: 10000 },
        buzzP99Ms: quick ? 500 : 250,
        sendLagP99Ms: 50,
      },
      saturationShare: 0.9,
      // 7 processes at the last step: 35 of the server's 100 connections, room for other users.
      poolMax: 5,
    },
    storeCost: {
      rate: options.rate ?? (quick ? QUICK_RATE : DEFAULT_RATE),
      durationMs: duration(10, 3),
      brewMs: options.brewMs ?? 0,
      machines: options.machines ?? OVERHEAD_MACHINES,
      sequence: quick ? ['sqlite', 'postgres'] : ['sqlite', 'postgres', 'postgres', 'sqlite'],
      drain: quick ? { idleMs: 1000, maxMs: 5000 } : { idleMs: 2000, maxMs: 15000 },
    },
    store: options.store,
    drain: quick ? { idleMs: 2000, maxMs: 15000 } : { idleMs: 5000, maxMs: 60000 },
    timeouts: { baristaMs, pagerMs, clientMs: baristaMs + pagerMs + 3000, startupMs: 30000 },
    logLevel: 'warn',
    connections: 256,
    warmupMs: quick ? 1000 : 3000,
    warmupDrain: quick ? { idleMs: 300, maxMs: 1500 } : { idleMs: 500, maxMs: 5000 },
  };
}

/**
 * The scenarios that use the local 3-node cluster (rmq, NestJS apps): replication, and faults when
 * it injects a node fault. Empty when the run does not need the cluster.
 */
export function clusterScenarios(plan: Pick<BenchPlan, 'variants' | 'faults'>): ScenarioName[] {
  const rmq = plan.variants.find((v) => v.variant === 'rmq')?.scenarios ?? [];
  const nodeFaults = plan.faults.kinds.some((kind) => NODE_LOSS_FAULTS.includes(kind));
  return rmq.filter((s) => s === 'replication' || (s === 'faults' && nodeFaults));
}

/** Whether the run needs a PostgreSQL server: --store postgres, or a scenario that uses one. */
export function needsPostgres(plan: Pick<BenchPlan, 'store' | 'variants'>): boolean {
  return (
    plan.store === 'postgres' ||
    plan.variants.some((v) => v.scenarios.some((s) => POSTGRES_SCENARIOS.includes(s)))
  );
}

/** Offered orders over the phases. */
export function plannedOrders(phases: RatePhase[]): number {
  return phases.reduce((sum, phase) => sum + Math.floor((phase.durationMs * phase.rate) / 1000), 0);
}
