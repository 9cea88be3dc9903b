import type {
  BenchResults,
  Counts,
  FaultFigures,
  FaultKind,
  FaultSecond,
  LatencySummary,
  OutageFigures,
  QueueType,
  ReplicationSummary,
  RunResult,
  ScenarioResult,
  Store,
  Variant,
  WindowCounts,
} from '../model';
import { HUNG_CALLEE_FAULTS, httpDefencesOf, transportOf } from '../model';
import { BROKER_NOT_APPLICABLE, FAULT_LABELS } from '../scenarios/faults';
import { summarizeOverhead } from '../scenarios/overhead';
import { replicationFigures } from '../scenarios/replication';
import { summarizeScaleOut, type ScaleOutRun } from '../scenarios/scale-out';
import { summarizeStoreCost } from '../scenarios/store-cost';
import { judgeSoak } from '../scenarios/soak';
import { cpuMsPerOrder, summarizeTracing } from '../scenarios/tracing';
import { buildPlan, REPLICATION_SYSTEMS, SOAK_CRITERIA } from '../plan';
import { computeFindings } from '../findings';
import { parseCli } from '../cli';
import { Progress } from '../progress';
import type { RunContext } from '../scenarios/context';

/** A run context for scenario logic that must not reach any real process or broker. */
export function testContext(argv: string[], extra: Partial<RunContext> = {}): RunContext {
  return {
    plan: buildPlan(parseCli(argv)),
    cwd: '.',
    logDir: '.',
    dataDir: '.',
    amqpUrl: 'amqp://unused',
    runId: 'test',
    progress: new Progress(process.stderr),
    namespaces: new Set(),
    databases: new Set(),
    abort: new AbortController().signal,
    ...extra,
  };
}

export function latencyOf(p50: number, p99 = p50 * 2): LatencySummary {
  return {
    count: 10,
    p50,
    p90: (p50 + p99) / 2,
    p95: (p50 + 3 * p99) / 4,
    p99,
    max: p99 * 1.5,
    mean: p50,
  };
}

export function countsOf(partial: Partial<Counts> = {}): Counts {
  const sent = partial.sent ?? 100;
  const failed = partial.failed ?? 0;
  const accepted = partial.accepted ?? sent - failed;
  const lost = partial.lost ?? 0;
  return {
    sent,
    accepted,
    failed,
    failedBy: partial.failedBy ?? { timeout: 0, '5xx': failed, refused: 0, other: 0 },
    failedByHop: partial.failedByHop ?? (failed > 0 ? { barista: failed } : {}),
    failedByStatus: partial.failedByStatus ?? (failed > 0 ? { '503': failed } : {}),
    completed: partial.completed ?? accepted - lost,
    lost,
    duplicated: partial.duplicated ?? 0,
    extraBuzzes: partial.extraBuzzes ?? 0,
    buzzedAfterFailure: partial.buzzedAfterFailure ?? 0,
    unmatchedBuzzes: partial.unmatchedBuzzes ?? 0,
  };
}

/** A plain run under `variant` (http+defences: transport http, HTTP_DEFENCES=on). */
export function runOf(variant: Variant, overrides: Partial<RunResult> = {}): RunResult {
  const transport = transportOf(variant);
  return {
    label: 'steady',
    system: 'nest',
    params: {
      transport,
      httpDefences: httpDefencesOf(variant),
      phases: [{ durationMs: 1000, rate: 100 }],
      brewMs: 50,
      machines: 8,
      baristas: 1,
      namespace: `bench-test-${transport}`,
    },
    counts: countsOf(),
    clientLatency: transport === 'http' ? latencyOf(55, 80) : latencyOf(1.5, 4),
    failedLatency: latencyOf(0),
    buzzLatency: latencyOf(56, 90),
    sendLag: latencyOf(0.1, 0.5),
    throughput: {
      offeredPerSec: 100,
      sentPerSec: 100,
      completedPerSec: 98,
      completedPerSecDuringLoad: 95,
      loadSeconds: 1,
      drainSeconds: 0.1,
    },
    timeline: [
      { second: 0, sent: 100, accepted: 100, failed: 0, completed: 95 },
      {
        second: 1,
        sent: 0,
        accepted: 0,
        failed: 0,
        completed: 5,
        ...(transport === 'rmq' ? { queueDepth: 3 } : {}),
      },
    ],
    peakQueueDepth:
      transport === 'rmq' ? { barista: 3, order: 0, pager: 0, 'dead-letters': 0 } : null,
    processes: [
      { role: 'order', instance: 1, pids: [11], cpuSeconds: 0.4, cpuPercent: 40, peakRssMb: 80 },
      { role: 'barista', instance: 1, pids: [12], cpuSeconds: 0.2, cpuPercent: 20, peakRssMb: 70 },
      { role: 'pager', instance: 1, pids: [13], cpuSeconds: 0.1, cpuPercent: 10, peakRssMb: 60 },
    ],
    benchCpuSeconds: 0.3,
    events: [{ atMs: 0, what: 'load start' }],
    pagerBuzzTotal: 100,
    streamBuzzes: 100,
    downstreamCalls:
      transport === 'http'
        ? {
            barista: { calls: 100, attempts: 100, retries: 0, failedFast: 0 },
            pager: { calls: 100, attempts: 100, retries: 0, failedFast: 0 },
          }
        : null,
    notes: [],
    ...overrides,
  };
}

/** Barista down from 1 s to 3 s of the load; what became of the orders due then and after. */
export function outageOf(
  during: WindowCounts,
  after: WindowCounts = { sent: 45, accepted: 45, failed: 0, completed: 45, lost: 0 },
): OutageFigures {
  return {
    stoppedAtMs: 1000,
    exitedAtMs: 1100,
    restartedAtMs: 2500,
    healthyAtMs: 3000,
    beforeOutage: { sent: 25, accepted: 25, failed: 0, completed: 25, lost: 0 },
    duringOutage: during,
    afterOutage: after,
  };
}

/** A complete, plausible result set: every scenario under http and rmq, http+defences where it runs by default. */
export function sampleScenarios(): ScenarioResult[] {
  const plan = buildPlan({
    quick: true,
    scenarios: [],
    baseline: true,
    system: 'nest',
    store: 'sqlite',
    cpuProf: false,
    help: false,
  });
  const results: ScenarioResult[] = [];
  for (const transport of ['http', 'rmq'] as const) {
    const sync = transport === 'http';
    results.push({
      scenario: 'steady',
      transport,
      variant: transport,
      runs: [runOf(transport)],
      wallSeconds: 3,
    });
    const window = sync
      ? { sent: 30, accepted: 0, failed: 30, completed: 0, lost: 0 }
      : { sent: 30, accepted: 30, failed: 0, completed: 30, lost: 0 };
    results.push({
      scenario: 'outage',
      transport,
      variant: transport,
      runs: [
        runOf(transport, {
          label: 'outage',
          counts: countsOf(sync ? { sent: 100, failed: 30 } : { sent: 100 }),
          peakQueueDepth: sync ? null : { barista: 30 },
          outage: outageOf(window),
        }),
      ],
      wallSeconds: 6,
    });
    results.push({
      scenario: 'scale',
      transport,
      variant: transport,
      runs: [
        runOf(transport, {
          label: 'x1',
          params: { ...runOf(transport).params, machines: 2 },
          throughput: { ...runOf(transport).throughput, completedPerSec: 40 },
        }),
        runOf(transport, {
          label: 'x3',
          params: { ...runOf(transport).params, machines: 2, baristas: 3 },
          throughput: { ...runOf(transport).throughput, completedPerSec: 99 },
        }),
      ],
      wallSeconds: 8,
    });
    results.push({
      scenario: 'burst',
      transport,
      variant: transport,
      runs: [runOf(transport, { label: 'burst' })],
      wallSeconds: 4,
    });
    const steps = [500, 1000, 2000].flatMap((rate) =>
      (['nest', 'baseline'] as const).map((system) => {
        const sustainable = system === 'baseline' || rate < 2000;
        return {
          system,
          rate,
          sustainable,
          why: sustainable ? 'all buzzed' : 'buzz p99 too high',
          run: runOf(transport, {
            label: `${system}@${rate}`,
            system,
            clientLatency: latencyOf(1, 5),
          }),
        };
      }),
    );
    results.push({
      scenario: 'overhead',
      transport,
      variant: transport,
      runs: steps.map((s) => s.run),
      steps,
      overhead: summarizeOverhead(steps, plan.overhead),
      wallSeconds: 10,
    });
    results.push(...resilienceScenarios(transport));
    results.push(tracingScenarioOf(transport));
  }
  results.push(...defendedScenarios());
  results.push(replicationScenario());
  results.push(scaleOutScenario(), storeCostScenario());
  return results;
}

/** The tracing scenario under `transport`: one round, off then on, every order one trace. */
export function tracingScenarioOf(transport: 'http' | 'rmq'): ScenarioResult {
  const traces = { orders: 100, traces: 100, complete: 100, missing: 0, split: 0 };
  const off = runOf(transport, { label: 'off#1' });
  const on = runOf(transport, {
    label: 'on#1',
    processes: off.processes.map((p) => ({ ...p, cpuSeconds: p.cpuSeconds * 1.2 })),
  });
  const runs = [
    { ...off, tracing: { on: false, cpuMsPerOrder: cpuMsPerOrder(off), traces: null } },
    { ...on, tracing: { on: true, cpuMsPerOrder: cpuMsPerOrder(on), traces } },
  ];
  return {
    scenario: 'tracing',
    transport,
    variant: transport,
    runs,
    tracing: summarizeTracing(runs, 1),
    wallSeconds: 12,
  };
}

/** Latencies spread evenly from `low` to `high` ms: a round's raw waits. */
function spread(low: number, high: number, count = 100): number[] {
  return Array.from({ length: count }, (_, i) => low + ((high - low) * i) / (count - 1));
}

/**
 * The replication scenario (rmq only): the single broker buzzes at 4-12 ms, quorum on three nodes
 * at 9-30 ms and classic on the cluster at 6-20 ms; the clients are answered at 1-5 ms on the
 * single broker and 1-6 ms on the cluster. Highest sustainable rates 1,000, 500 and 750/s.
 */
export function replicationSummaryOf(
  buzz: Record<string, [number, number]> = {
    'single classic': [4, 12],
    'cluster quorum': [9, 30],
    'cluster classic': [6, 20],
  },
  client: Record<string, [number, number]> = {
    'single classic': [1, 5],
    'cluster quorum': [1, 6],
    'cluster classic': [1, 6],
  },
): ReplicationSummary {
  const best: Record<string, number> = {
    'single classic': 1000,
    'cluster quorum': 500,
    'cluster classic': 750,
  };
  const steps = REPLICATION_SYSTEMS.flatMap((system) =>
    [250, 500, 750, 1000, 1500].map((rate) => ({
      system: system.name,
      rate,
      sustainable: rate <= best[system.name],
      why: rate <= best[system.name] ? 'all buzzed' : 'buzz p99 too high',
      sent: rate * 4,
      failed: 0,
      lost: 0,
      completedPerSec: Math.min(rate, best[system.name] * 1.2),
      clientP99Ms: 5,
      buzzP99Ms: rate <= best[system.name] ? 100 : 900,
    })),
  );
  const systems = REPLICATION_SYSTEMS.map((system) => {
    const [low, high] = buzz[system.name];
    const [clientLow, clientHigh] = client[system.name];
    const rounds = [1, 2].map((round) => ({
      run: runOf('rmq', {
        label: `${system.name} r${round}`,
        clientLatency: latencyOf(clientLow, clientHigh),
        buzzLatency: latencyOf(low, high),
      }),
      client: spread(clientLow, clientHigh),
      buzz: spread(low, high),
    }));
    return replicationFigures(system, 100, rounds, steps);
  });
  return {
    systems,
    steps,
    rate: 100,
    brewMs: 0,
    criteria: { maxFailed: 0, buzzP99Ms: 250, sendLagP99Ms: 50 },
  };
}

export function replicationScenario(
  summary: ReplicationSummary = replicationSummaryOf(),
): ScenarioResult {
  return {
    scenario: 'replication',
    transport: 'rmq',
    variant: 'rmq',
    runs: summary.systems.map((s) => runOf('rmq', { label: `${s.name} r1` })),
    replication: summary,
    wallSeconds: 60,
  };
}

/**
 * The sample with the node-loss faults added to rmq's faults: nothing lost with quorum queues, 7
 * orders lost with classic ones (their only copy was on the node stopped).
 */
export function withNodeLoss(results: ScenarioResult[]): ScenarioResult[] {
  return results.map((r) =>
    r.scenario === 'faults' && r.variant === 'rmq'
      ? {
          ...r,
          runs: [
            ...r.runs,
            nodeLossRunOf('quorum'),
            nodeLossRunOf('classic', 'broker-node-loss', { sent: 100, lost: 7 }),
          ],
        }
      : r,
  );
}

/**
 * A node-loss run on the cluster: shop1 (leading barista's queue) stopped from 1 s to 3 s; the
 * leader moved to shop2 (quorum) or came back with the node (classic).
 */
export function nodeLossRunOf(
  queueType: QueueType,
  kind: FaultKind = 'broker-node-loss',
  counts: Partial<Counts> = { sent: 100 },
  brewedTwice = 0,
): RunResult {
  const run = faultRunOf('rmq', kind, { counts, brewedTwice });
  const fault = run.fault as FaultFigures;
  return {
    ...run,
    label: `${FAULT_LABELS[kind]} ${queueType}`,
    params: { ...run.params, broker: 'cluster', queueType },
    fault: {
      ...fault,
      action: `rabbitmqctl stop_app on shop1@localhost (leading barista's queue), start_app 5.0 s after it returned`,
      node: 'shop1@localhost',
      leaderAfter: queueType === 'quorum' ? 'shop2@localhost' : 'shop1@localhost',
      waitBefore: latencyOf(2, 5),
      waitDuring: latencyOf(3, 40),
      series: [0, 1, 2, 3, 4].map((second) => ({
        ...secondOf(second, false, second >= 1 && second < 3),
      })),
    },
  };
}

/** A costed rmq run (scale-out, store-cost): what it cost, on which store, with how many orders. */
export function costRunOf(
  store: Store,
  figures: {
    rate?: number;
    orders?: number;
    completedPerSec?: number;
    cpuMsPerOrder: number;
    machineCpuPercent?: number;
    buzzP50Ms?: number;
    lost?: number;
  },
  label: string = store,
): RunResult {
  const base = runOf('rmq', { label });
  const rate = figures.rate ?? 100;
  const completed = rate * 4;
  const appCpuSeconds =
    (figures.cpuMsPerOrder * completed * (store === 'postgres' ? 0.7 : 1)) / 1000;
  return {
    ...base,
    params: {
      ...base.params,
      phases: [{ durationMs: 4000, rate }],
      brewMs: 0,
      machines: 100,
      baristas: figures.orders ?? 1,
      store,
      ...(figures.orders && figures.orders > 1 ? { orders: figures.orders } : {}),
    },
    counts: countsOf({ sent: completed, lost: figures.lost ?? 0 }),
    buzzLatency: latencyOf(figures.buzzP50Ms ?? 8),
    throughput: { ...base.throughput, completedPerSec: figures.completedPerSec ?? rate },
    cost: {
      appCpuSeconds,
      databaseCpuSeconds:
        store === 'postgres' ? (figures.cpuMsPerOrder * completed * 0.3) / 1000 : null,
      benchCpuSeconds: 0.5,
      cpuMsPerOrder: figures.cpuMsPerOrder,
      shopCpuPercent: (figures.machineCpuPercent ?? 100) * 0.9,
      machineCpuPercent: figures.machineCpuPercent ?? 100,
      cores: 2,
      windowSeconds: 4.5,
    },
  };
}

/** One tried rate of a scale-out step. */
export function scaleOutRunOf(
  instances: number,
  rate: number,
  sustainable: boolean,
  machineCpuPercent: number,
): ScaleOutRun {
  const run = costRunOf(
    'postgres',
    {
      rate,
      orders: instances,
      completedPerSec: sustainable ? rate : rate * 0.8,
      cpuMsPerOrder: 3 + instances * 0.2,
      machineCpuPercent,
      lost: sustainable ? 0 : 5,
    },
    `x${instances}@${rate}`,
  );
  return { instances, rate, sustainable, why: sustainable ? 'all buzzed' : '5 lost', run };
}

/** scale-out where a second instance helps and the cores run out at the third. */
export function scaleOutScenario(
  runs: ScaleOutRun[] = [
    scaleOutRunOf(1, 200, true, 110),
    scaleOutRunOf(1, 400, false, 150),
    scaleOutRunOf(2, 200, true, 120),
    scaleOutRunOf(2, 400, true, 170),
    scaleOutRunOf(2, 600, false, 196),
    scaleOutRunOf(3, 400, true, 185),
    scaleOutRunOf(3, 600, false, 198),
  ],
): ScenarioResult {
  const plan = buildPlan(parseCli(['--scenario', 'scale-out'])).scaleOut;
  return {
    scenario: 'scale-out',
    transport: 'rmq',
    variant: 'rmq',
    runs: runs.map((r) => r.run),
    scaleOut: summarizeScaleOut(runs, plan, 2),
    wallSeconds: 120,
  };
}

/** store-cost, A B B A: PostgreSQL dearer per order in every run. */
export function storeCostScenario(
  sqlite: [number, number] = [2, 2.2],
  postgres: [number, number] = [3.1, 3.3],
): ScenarioResult {
  const plan = buildPlan(parseCli(['--scenario', 'store-cost'])).storeCost;
  const runs = [
    costRunOf('sqlite', { cpuMsPerOrder: sqlite[0], buzzP50Ms: 8 }, 'sqlite #1'),
    costRunOf('postgres', { cpuMsPerOrder: postgres[0], buzzP50Ms: 12 }, 'postgres #2'),
    costRunOf('postgres', { cpuMsPerOrder: postgres[1], buzzP50Ms: 12 }, 'postgres #3'),
    costRunOf('sqlite', { cpuMsPerOrder: sqlite[1], buzzP50Ms: 8 }, 'sqlite #4'),
  ];
  const rounds = runs.map((run) => ({
    run,
    client: [1, 1.5, 2],
    buzz: run.params.store === 'postgres' ? [10, 12, 20] : [6, 8, 12],
  }));
  return {
    scenario: 'store-cost',
    transport: 'rmq',
    variant: 'rmq',
    runs,
    storeCost: summarizeStoreCost(rounds, plan),
    wallSeconds: 90,
  };
}

/** A fault run: barista or broker down from 1 s to 3 s of the load. */
export function faultRunOf(
  variant: Variant,
  kind: FaultKind,
  overrides: {
    counts?: Partial<Counts>;
    brewedTwice?: number | null;
    recoverSeconds?: number | null;
  } = {},
): RunResult {
  const sync = transportOf(variant) === 'http';
  const counts = countsOf(overrides.counts ?? (sync ? { sent: 100, failed: 20 } : { sent: 100 }));
  const brewedTwice =
    overrides.brewedTwice === undefined ? (sync ? null : 0) : overrides.brewedTwice;
  const hung = HUNG_CALLEE_FAULTS.includes(kind);
  return runOf(variant, {
    label: FAULT_LABELS[kind],
    counts,
    ...(hung && sync
      ? {
          downstreamCalls: {
            barista: { calls: 100, attempts: 100, retries: 0, failedFast: 0 },
            pager: { calls: 80, attempts: 80, retries: 0, failedFast: 0 },
          },
        }
      : {}),
    fault: {
      kind,
      action: kind === 'barista' ? 'kill -9 barista#1' : 'rabbitmqctl stop_app / start_app',
      ...(hung ? cascadeOf(kind, sync) : {}),
      injectedAtMs: 1000,
      downAtMs: 1010,
      restartedAtMs: 2500,
      healthyAtMs: 3000,
      ...(kind === 'barista' ? { exit: 'signal SIGKILL' } : {}),
      beforeFault: { sent: 25, accepted: 25, failed: 0, completed: 25, lost: 0 },
      duringFault: sync
        ? { sent: 20, accepted: 0, failed: 20, completed: 0, lost: 0 }
        : { sent: 20, accepted: 20, failed: 0, completed: 20, lost: 0 },
      afterFault: { sent: 55, accepted: 55, failed: 0, completed: 55, lost: 0 },
      recovery: {
        normalBuzzMs: 250,
        normalBuzzBasis: '250 ms floor',
        share: 0.9,
        recoverSeconds: overrides.recoverSeconds === undefined ? 2 : overrides.recoverSeconds,
        backlogDrainedSeconds: sync ? null : 3.2,
        normalShareBySecond: [0, 0.5, 1, 1],
      },
      brewedTwice,
      extraBrews: brewedTwice,
    },
  });
}

/** A second of a hung-callee run: 10 orders due, order's endpoints answering in a few ms. */
function secondOf(second: number, sync: boolean, hung: boolean): FaultSecond {
  return {
    second,
    sent: 10,
    accepted: hung && sync ? 0 : 10,
    failed: hung && sync ? 10 : 0,
    completed: hung && sync ? 0 : 10,
    awaitingAnswer: hung && sync ? 20 : 0,
    awaitingBuzz: hung && !sync ? 30 : 0,
    clientP50Ms: hung && sync ? 2000 : 3,
    clientP99Ms: hung && sync ? 2000 : 5,
    clientMaxMs: hung && sync ? 2001 : 6,
    getOrderMs: hung ? 9 : 4,
    listOrdersMs: hung ? 12 : 6,
    probeFailures: 0,
    baristaInFlight: sync ? (hung ? 200 : 5) : null,
    baristaSockets: sync ? (hung ? 200 : 8) : null,
    pagerInFlight: sync ? 1 : null,
    pagerSockets: sync ? 4 : null,
    orderRssMb: hung ? 150 : 140,
    eventLoopDelayMs: hung ? 3 : 1,
    ...(sync ? {} : { baristaQueue: hung ? 30 : 0, pagerQueue: 0 }),
  };
}

/** What a hung or slowed callee did to the caller: http waits and fails, rmq queues. */
function cascadeOf(kind: FaultKind, sync: boolean): Pick<FaultFigures, 'series' | 'callerHealth'> {
  return {
    series: [0, 1, 2, 3, 4].map((second) => secondOf(second, sync, second >= 1 && second < 3)),
    callerHealth: {
      getOrderBeforeP99Ms: 4,
      getOrderDuringP99Ms: 9,
      getOrderMaxMs: 9,
      listOrdersBeforeP99Ms: 6,
      listOrdersDuringP99Ms: 12,
      probeFailures: 0,
      peakBaristaInFlight: sync ? 200 : null,
      peakBaristaSockets: sync ? 200 : null,
      peakPagerInFlight: sync ? 1 : null,
      peakPagerSockets: sync ? 4 : null,
      orderRssBeforeMb: 140,
      orderRssPeakMb: 150,
      eventLoopDelayBeforeMs: 1,
      eventLoopDelayPeakMs: 3,
      clientWaitMaxMs: sync ? 2001 : 6,
      clientWaitP99Ms: sync ? 2000 : 5,
      peakQueue: sync ? null : 30,
      brews: 100,
      wastedBrews: sync && kind === 'pager-hang' ? 20 : sync ? 10 : 0,
    },
  };
}

/** A soak run whose services grew by `growthMb` each after warm-up (flagged above 8 MB). */
export function soakRunOf(variant: Variant, growthMb = 1, loadMs = 180000): RunResult {
  const services = ['order', 'barista#1', 'pager'].map((service) => ({
    service,
    points: [0, 60000, 120000, 175000].map((atMs, i) => ({
      atMs,
      rssMb: 80 + (i === 0 ? -10 : i === 3 ? growthMb : 0),
    })),
  }));
  return runOf(variant, {
    label: 'soak',
    soak: judgeSoak(services, loadMs, SOAK_CRITERIA, () => 6750),
  });
}

/** faults (the broker restart not applicable to the http variants) and soak under `variant`. */
export function resilienceScenarios(variant: Variant): ScenarioResult[] {
  const transport = transportOf(variant);
  const sync = transport === 'http';
  return [
    {
      scenario: 'faults',
      transport,
      variant,
      runs: [
        faultRunOf(variant, 'barista'),
        ...HUNG_CALLEE_FAULTS.map((kind) => faultRunOf(variant, kind)),
        ...(sync ? [] : [faultRunOf(variant, 'broker')]),
      ],
      ...(sync ? { skipped: [{ label: 'broker-restart', reason: BROKER_NOT_APPLICABLE }] } : {}),
      wallSeconds: 20,
    },
    { scenario: 'soak', transport, variant, runs: [soakRunOf(variant)], wallSeconds: 190 },
  ];
}

/** http+defences in steady, outage, faults and soak: in the outage fewer orders failed, each fast. */
export function defendedScenarios(): ScenarioResult[] {
  return [
    {
      scenario: 'steady',
      transport: 'http',
      variant: 'http+defences',
      runs: [runOf('http+defences')],
      wallSeconds: 3,
    },
    {
      scenario: 'outage',
      transport: 'http',
      variant: 'http+defences',
      runs: [
        runOf('http+defences', {
          label: 'outage',
          counts: countsOf({ sent: 100, failed: 26 }),
          failedLatency: latencyOf(0.8, 2),
          downstreamCalls: {
            barista: { calls: 100, attempts: 81, retries: 7, failedFast: 26 },
            pager: { calls: 74, attempts: 74, retries: 0, failedFast: 0 },
          },
          outage: outageOf(
            { sent: 30, accepted: 6, failed: 24, completed: 6, lost: 0 },
            { sent: 45, accepted: 43, failed: 2, completed: 43, lost: 0 },
          ),
        }),
      ],
      wallSeconds: 6,
    },
    ...resilienceScenarios('http+defences'),
  ];
}

export function sampleResults(): BenchResults {
  const scenarios = sampleScenarios();
  return {
    tool: 'coffee-shop bench',
    startedAt: '2026-11-25T10:00:00.000Z',
    finishedAt: '2026-11-25T10:01:00.000Z',
    command: 'npm run bench -- --quick',
    options: { quick: true },
    machine: {
      cpus: 2,
      cpuModel: 'test cpu',
      memoryGb: 4,
      os: 'Linux',
      node: 'v20',
      rabbitmq: '3.10.8',
    },
    versions: { '@nestjs/core': '11.0.0', amqplib: '2.3.1' },
    git: { commit: null, dirty: null },
    scenarios,
    findings: computeFindings(scenarios),
    errors: [],
  };
}
