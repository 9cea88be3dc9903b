import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { deleteNamespace, QueueMonitor, waitForEmptyQueues } from '../broker';
import { pagerBuzzTotal, subscribeBuzzes } from '../buzzes';
import { callsBetween, downstreamCalls, OrderClient, orderBody } from '../client';
import { buildSchedule, runOpenLoop, totalDurationMs } from '../load';
import {
  httpDefencesOf,
  transportOf,
  variantOf,
  type BrokerKind,
  type CostFigures,
  type QueueType,
  type RatePhase,
  type RunResult,
  type Store,
  type SystemKind,
  type TimedEvent,
  type Transport,
  type Variant,
} from '../model';
import type { DrainPlan } from '../plan';
import {
  busyPercent,
  createDatabase,
  databaseName,
  dropDatabase,
  machineTicks,
  ServerCpuMeter,
} from '../postgres';
import { ResourceSampler, type AppEntries, type MemorySeries } from '../processes';
import { checkCounts, OrderBook, type QueueSample } from '../stats';
import { sameSettings, ShopSystem, type BaristaSettings, type ShopDatabase } from '../system';
import type { RunContext } from './context';

/**
 * A warm-up rate the system should sustain: the scenario's rate, but at most 60% of what its
 * baristas can brew, so the warm-up leaves no backlog behind for the measured run.
 */
export function warmupRateFor(rate: number, settings: BaristaSettings): number {
  const { baristas, machines, brewMs } = settings;
  const capacity = brewMs > 0 ? (baristas * machines * 1000) / brewMs : Infinity;
  return Math.max(1, Math.floor(Math.min(rate, capacity * 0.6)));
}

/** A namespace the apps accept (`^[a-z0-9][a-z0-9._-]{0,63}$`), unique to this run and system. */
export function namespaceFor(runId: string, transport: Transport, tag: string): string {
  const clean = tag.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');
  return `bench-${runId}-${transport}-${clean}`.slice(0, 64).replace(/[-.]+$/, '');
}

/** Where an rmq shop's queues live, when not on the run's own broker with the apps' default type. */
export interface ShopBroker {
  readonly kind: BrokerKind;
  readonly amqpUrl: string;
  readonly queueType?: QueueType;
}

/** Where a shop keeps its state and how many order instances take its orders. */
export interface ShopLayout {
  /** Default: the run's --store (the bare baseline keeps no store: always its default). */
  readonly store?: Store;
  /** Order instances (default 1); the load client sends each order to the next in turn. */
  readonly orders?: number;
  /** PostgreSQL: each app instance's DATABASE_POOL_MAX (default: the apps' own). */
  readonly poolMax?: number;
}

/**
 * One system under test for a whole transport: started on first use, its baristas restarted when
 * a scenario needs other settings, warmed up after every (re)start, and always stopped (with its
 * namespace's queues and exchanges deleted) by `close`.
 */
export class Shop {
  private system: ShopSystem | undefined;
  private client: OrderClient | undefined;
  readonly transport: Transport;
  readonly namespace: string;
  readonly name: string;
  /** Prefix of its log (and profile) files, unique per variant and tag. */
  private readonly logPrefix: string;
  /** The broker the apps and the bench's observers connect to (rmq). */
  readonly amqpUrl: string;
  readonly store: Store;
  readonly orders: number;
  /** The PostgreSQL database of the running system: created at its start, dropped by close. */
  private database: ShopDatabase | undefined;

  constructor(
    private readonly ctx: RunContext,
    readonly kind: SystemKind,
    readonly entries: AppEntries,
    readonly variant: Variant,
    readonly tag: string,
    readonly broker?: ShopBroker,
    /** More variables for its apps (tracing on: the OTLP receiver's). */
    private readonly extraEnv?: Readonly<Record<string, string>>,
    private readonly layout: ShopLayout = {},
  ) {
    this.store = kind === 'baseline' ? 'sqlite' : (layout.store ?? ctx.plan.store);
    this.orders = layout.orders ?? 1;
    this.amqpUrl = broker?.amqpUrl ?? ctx.amqpUrl;
    this.transport = transportOf(variant);
    this.namespace = namespaceFor(ctx.runId, this.transport, tag);
    this.name = `${variant} ${kind === 'baseline' ? 'baseline' : 'shop'}`;
    this.logPrefix = `${variant.replace(/\W+/g, '-')}-${tag}`;
  }

  /** The running system with these barista settings, warmed up at `warmupRate` if it was (re)started. */
  async use(scenarioSettings: BaristaSettings, warmupRate: number): Promise<ShopSystem> {
    const { ctx } = this;
    // A scenario that does not name order's barista timeout runs with the plan's.
    const settings: BaristaSettings = {
      ...scenarioSettings,
      baristaTimeoutMs: scenarioSettings.baristaTimeoutMs ?? ctx.plan.timeouts.baristaMs,
    };
    const t0 = performance.now();
    let restarted = false;
    const fresh = !this.system;
    if (!this.system) {
      if (this.transport === 'rmq') ctx.namespaces.add(this.namespace);
      ctx.progress.update(
        `${this.name}: starting ${1 + this.orders + settings.baristas} processes${this.store === 'postgres' ? ' on a new PostgreSQL database' : ''} ...`,
      );
      if (this.store === 'postgres') {
        const name = databaseName(ctx.runId, `${this.variant}-${this.tag}`);
        // Recorded before it exists, so that an interrupt meanwhile still drops it.
        ctx.databases.add(name);
        this.database = {
          name,
          url: await createDatabase(name),
          ...(this.layout.poolMax ? { poolMax: this.layout.poolMax } : {}),
        };
      }
      this.system = await ShopSystem.start({
        orders: this.orders,
        ...(this.database ? { database: this.database } : {}),
        ...settings,
        kind: this.kind,
        entries: this.entries,
        transport: this.transport,
        namespace: this.namespace,
        amqpUrl: this.amqpUrl,
        ...(this.broker ? { broker: this.broker.kind } : {}),
        ...(this.broker?.queueType ? { queueType: this.broker.queueType } : {}),
        cwd: ctx.cwd,
        logDir: ctx.logDir,
        dataDir: ctx.dataDir,
        profileDir: ctx.profileDir,
        logPrefix: this.logPrefix,
        httpDefences:
          this.kind === 'nest' ? (httpDefencesOf(this.variant) ?? undefined) : undefined,
        logLevel: ctx.plan.logLevel,
        faultInjection: this.kind === 'nest',
        baristaTimeoutMs: settings.baristaTimeoutMs ?? ctx.plan.timeouts.baristaMs,
        pagerTimeoutMs: ctx.plan.timeouts.pagerMs,
        startupMs: ctx.plan.timeouts.startupMs,
        ...(this.extraEnv ? { extraEnv: this.extraEnv } : {}),
      });
      restarted = true;
    } else if (!sameSettings(settings, this.system.options)) {
      ctx.progress.update(
        `${this.name}: restarting baristas (${settings.baristas} × ${settings.machines} machines, brew ${settings.brewMs} ms) ...`,
      );
      restarted = await this.system.reconfigure(settings);
    }
    const system = this.system;
    // One keep-alive pool for every run against this shop, so connections are warm as well.
    this.client ??= new OrderClient(
      system.orderUrls,
      ctx.plan.timeouts.clientMs,
      ctx.plan.connections,
    );
    if (restarted && ctx.plan.warmupMs > 0 && warmupRate > 0) {
      if (process.env.BENCH_DEBUG)
        ctx.progress.log(`${this.name}: healthy after ${Math.round(performance.now() - t0)} ms`);
      await measureLoad(ctx, system, this.client, {
        label: 'warmup',
        // Less after a barista restart: order and pager are warm already.
        phases: [
          { durationMs: fresh ? ctx.plan.warmupMs : ctx.plan.warmupMs / 2, rate: warmupRate },
        ],
        drain: ctx.plan.warmupDrain,
      });
    }
    await this.settle();
    if (process.env.BENCH_DEBUG)
      ctx.progress.log(`${this.name}: ready after ${Math.round(performance.now() - t0)} ms`);
    return system;
  }

  /** Waits (bounded) until a previous run's leftovers have left the queues (rmq). */
  async settle(): Promise<void> {
    if (this.transport !== 'rmq' || !this.system) return;
    const depths = await waitForEmptyQueues(
      this.amqpUrl,
      this.namespace,
      this.ctx.plan.drain.maxMs,
    );
    const left = Object.entries(depths).filter(([, depth]) => depth > 0);
    if (left.length > 0) {
      this.ctx.progress.log(
        `warning: ${this.name}: queues not empty before the next run: ${left.map(([q, d]) => `${q} ${d}`).join(', ')}`,
      );
    }
  }

  /** The load client of the running shop. */
  get orderClient(): OrderClient {
    if (!this.client) throw new Error(`${this.name} is not running`);
    return this.client;
  }

  async close(): Promise<void> {
    const system = this.system;
    this.system = undefined;
    await this.client?.close();
    this.client = undefined;
    if (system) {
      this.ctx.progress.update(`${this.name}: stopping ...`);
      await system.stop();
    }
    await this.dropDatabase();
    if (!system) return;
    if (this.transport === 'rmq') {
      const problems = await deleteNamespace(this.amqpUrl, this.namespace);
      if (problems.length === 0) this.ctx.namespaces.delete(this.namespace);
      else this.ctx.progress.log(`warning: ${problems.join('; ')}`);
    }
  }

  /** Drops the shop's database once its apps are stopped; on failure the run's end tries again. */
  private async dropDatabase(): Promise<void> {
    const database = this.database;
    this.database = undefined;
    if (!database) return;
    try {
      await dropDatabase(database.name);
      this.ctx.databases.delete(database.name);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.ctx.progress.log(`warning: could not drop database ${database.name}: ${reason}`);
    }
  }
}

export interface LoadRunOptions {
  readonly label: string;
  readonly phases: RatePhase[];
  readonly drain: DrainPlan;
  /** Runs alongside the load (outage: stop and restart barista); times are absolute. */
  readonly during?: (startAt: number, mark: (what: string) => number) => Promise<void>;
  /** How often CPU and memory are sampled (default 500 ms). */
  readonly sampleMs?: number;
  /** Also sample each NestJS app's heap after its last major GC, from its /metrics (soak). */
  readonly heapAfterGc?: boolean;
  /** Where the queue monitor connects (rmq; default: the shop's own AMQP_URL). */
  readonly observerUrl?: string;
  /** Also measure what the run cost the machine (scale-out, store-cost): database CPU included. */
  readonly cost?: boolean;
}

export interface LoadRun {
  readonly run: RunResult;
  readonly book: OrderBook;
  readonly startAt: number;
  /** When the load ended (absolute), before the drain. */
  readonly loadEnd: number;
  /** When the drain ended (absolute). */
  readonly endAt: number;
  /** The depth of barista's and pager's queues over the run (rmq; empty under http). */
  readonly queueSamples: { readonly barista: QueueSample[]; readonly pager: QueueSample[] };
  readonly events: TimedEvent[];
  /** Each app's RSS (and, if asked, heap after GC) samples over load and drain (absolute times). */
  readonly memory: MemorySeries[];
}

const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * One measured run: subscribe to the buzzes, send the orders on schedule, wait for the last answers
 * and buzzes, and put every figure together. CPU and memory are sampled over load and drain.
 */
export async function measureLoad(
  ctx: RunContext,
  system: ShopSystem,
  client: OrderClient,
  options: LoadRunOptions,
): Promise<LoadRun> {
  const { transport, kind } = system.options;
  const httpDefences = system.options.httpDefences ?? null;
  const title = `${variantOf(transport, httpDefences)} ${options.label}`;
  const book = new OrderBook(
    `${ctx.runId}-${options.label.replace(/[^\w.:-]+/g, '-')}`,
    performance.now(),
  );
  const buzzStream = await subscribeBuzzes(system.pagerUrl, (buzz, at) => book.buzz(buzz, at));
  const pagerBefore = await pagerBuzzTotal(system.pagerUrl);
  const callsBefore = transport === 'http' ? await downstreamCalls(system.orderUrl) : null;
  const monitor =
    transport === 'rmq'
      ? await QueueMonitor.open(
          options.observerUrl ?? system.options.amqpUrl,
          system.options.namespace,
        )
      : undefined;
  const sampler = new ResourceSampler({ intervalMs: options.sampleMs, heap: options.heapAfterGc });
  for (const app of system.live) sampler.track(app);
  const events: TimedEvent[] = [];
  const notes: string[] = [];
  const inflight = new Set<Promise<void>>();
  let startAt = performance.now();
  const mark = (what: string) => {
    const atMs = Math.round(performance.now() - startAt);
    events.push({ atMs, what });
    return atMs;
  };
  const previousSpawnHook = system.spawnHook;
  system.spawnHook = (app) => sampler.track(app);
  const serverCpu =
    options.cost && system.options.database
      ? new ServerCpuMeter(system.options.database.name)
      : undefined;
  await serverCpu?.start();
  const ticksBefore = options.cost ? machineTicks() : null;
  const benchCpuBefore = process.cpuUsage();
  let ticker: NodeJS.Timeout | undefined;
  let loadEnd = startAt;
  let endAt = startAt;
  try {
    monitor?.start();
    await sampler.start();
    const schedule = buildSchedule(options.phases);
    const loadMs = totalDurationMs(options.phases);
    startAt = performance.now() + 5;
    events.push({ atMs: 0, what: 'load start' });
    ticker = setInterval(() => {
      const t = (performance.now() - startAt) / 1000;
      const phase =
        t * 1000 <= loadMs
          ? `t=${t.toFixed(1)}s/${(loadMs / 1000).toFixed(1)}s`
          : `draining ${(t - loadMs / 1000).toFixed(1)}s`;
      const depth = monitor ? ` queue ${monitor.samples('barista').at(-1)?.depth ?? 0}` : '';
      ctx.progress.update(
        `${title}: ${phase} sent ${fmt(book.sent)}/${fmt(schedule.length)} accepted ${fmt(book.acceptedCount)} completed ${fmt(book.completedCount)} in flight ${fmt(book.answersPending)}${depth}`,
      );
    }, 250);
    // Settled at once into a value, so that a failure while the load still runs is not an
    // unhandled rejection; it is rethrown once the load is over.
    const during = (options.during ? options.during(startAt, mark) : Promise.resolve()).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    const send = (seq: number, scheduledAt: number) => {
      const correlationId = book.register(seq, scheduledAt, performance.now());
      const request = client.place(orderBody(seq), correlationId).then((result) => {
        const at = performance.now();
        if (result.accepted) book.accept(seq, at, result.orderId);
        else book.fail(seq, at, result.failure);
      });
      inflight.add(request);
      void request.finally(() => inflight.delete(request));
    };
    await runOpenLoop({ schedule, startAt, send, signal: ctx.abort });
    loadEnd = performance.now();
    mark('load end');
    const duringFailure = await during;
    if (duringFailure !== undefined) throw duringFailure;
    // The client gives up on its own after clientMs, so this wait is bounded.
    await waitFor(
      () => book.answersPending === 0 || ctx.abort.aborted,
      ctx.plan.timeouts.clientMs + 2000,
    );
    const drainStart = performance.now();
    await waitFor(
      () =>
        book.settled ||
        ctx.abort.aborted ||
        (book.answersPending === 0 &&
          performance.now() - book.lastProgressAt > options.drain.idleMs),
      options.drain.maxMs,
    );
    endAt = performance.now();
    mark(book.settled ? 'all settled' : `drain ended after ${Math.round(endAt - drainStart)} ms`);
  } finally {
    if (ticker) clearInterval(ticker);
    system.spawnHook = previousSpawnHook;
    await sampler.stop();
    await monitor?.stop();
    await Promise.allSettled([...inflight]);
  }
  const ticksAfter = options.cost ? machineTicks() : null;
  const databaseCpuSeconds = (await serverCpu?.stop()) ?? null;
  const pagerAfter = await pagerBuzzTotal(system.pagerUrl);
  const callsAfter = callsBefore ? await downstreamCalls(system.orderUrl) : null;
  await buzzStream.close();
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const summary = book.summary();
  const streamError = buzzStream.error();
  if (streamError) notes.push(streamError);
  for (const problem of checkCounts(summary.counts)) notes.push(`accounting: ${problem}`);
  for (const app of system.crashed())
    notes.push(`${app.name} (pid ${app.pid}) exited during the run`);
  const pagerDelta = pagerBefore !== null && pagerAfter !== null ? pagerAfter - pagerBefore : null;
  if (pagerDelta !== null && pagerDelta !== buzzStream.received()) {
    notes.push(`pager counted ${pagerDelta} buzzes, the stream delivered ${buzzStream.received()}`);
  }
  if (summary.counts.lost > 0) {
    notes.push(
      `${summary.counts.lost} accepted orders were not buzzed within the drain (${options.drain.maxMs / 1000} s max, ${options.drain.idleMs / 1000} s idle)`,
    );
  }
  const loadSeconds = Math.max(0.001, (loadEnd - startAt) / 1000);
  const offered = options.phases.reduce((sum, p) => sum + (p.rate * p.durationMs) / 1000, 0);
  const lastCompletion = summary.lastCompletionAt;
  const completionSpan =
    lastCompletion === null
      ? loadSeconds
      : Math.max(loadSeconds, (lastCompletion - startAt) / 1000);
  const completedDuringLoad = book.completedBetween(startAt, loadEnd);
  const samples = monitor?.samples('barista') ?? [];
  const run: RunResult = {
    label: options.label,
    system: kind,
    params: {
      transport,
      httpDefences,
      phases: options.phases,
      brewMs: system.options.brewMs,
      machines: system.options.machines,
      baristas: system.options.baristas,
      namespace: system.options.namespace,
      ...(system.options.broker ? { broker: system.options.broker } : {}),
      ...(system.options.queueType ? { queueType: system.options.queueType } : {}),
      store: system.options.database ? 'postgres' : 'sqlite',
      ...(system.orderUrls.length > 1 ? { orders: system.orderUrls.length } : {}),
    },
    counts: summary.counts,
    clientLatency: summary.clientLatency,
    failedLatency: summary.failedLatency,
    buzzLatency: summary.buzzLatency,
    sendLag: summary.sendLag,
    throughput: {
      offeredPerSec: round(offered / (totalDurationMs(options.phases) / 1000)),
      sentPerSec: round(summary.counts.sent / loadSeconds),
      completedPerSec: round(summary.counts.completed / completionSpan),
      completedPerSecDuringLoad: round(completedDuringLoad / loadSeconds),
      loadSeconds: round(loadSeconds),
      drainSeconds: round((endAt - loadEnd) / 1000),
    },
    timeline: book.timeline(startAt, endAt, samples),
    peakQueueDepth: monitor ? monitor.peak() : null,
    processes: sampler.usage(),
    benchCpuSeconds: round((benchCpu.user + benchCpu.system) / 1e6),
    events,
    pagerBuzzTotal: pagerDelta,
    streamBuzzes: buzzStream.received(),
    downstreamCalls: callsBetween(callsBefore, callsAfter),
    ...(options.cost
      ? {
          cost: costOf({
            processes: sampler.usage(),
            databaseCpuSeconds,
            benchCpuSeconds: (benchCpu.user + benchCpu.system) / 1e6,
            windowSeconds: Math.max(0.001, (endAt - startAt) / 1000),
            completed: summary.counts.completed,
            machineCpuPercent: busyPercent(ticksBefore, ticksAfter, availableParallelism()),
            cores: availableParallelism(),
          }),
        }
      : {}),
    notes,
  };
  const queueSamples = { barista: samples, pager: monitor?.samples('pager') ?? [] };
  return { run, book, startAt, loadEnd, endAt, events, memory: sampler.memory(), queueSamples };
}

export interface CostInputs {
  readonly processes: readonly { readonly cpuSeconds: number }[];
  readonly databaseCpuSeconds: number | null;
  readonly benchCpuSeconds: number;
  /** Load and drain, in seconds: the window every CPU figure covers. */
  readonly windowSeconds: number;
  readonly completed: number;
  readonly machineCpuPercent: number | null;
  readonly cores: number;
}

/** What a run cost: CPU of the apps, the database server and the load generator, per order. */
export function costOf(inputs: CostInputs): CostFigures {
  const appCpuSeconds = inputs.processes.reduce((sum, p) => sum + p.cpuSeconds, 0);
  const database = inputs.databaseCpuSeconds ?? 0;
  const shop = appCpuSeconds + database + inputs.benchCpuSeconds;
  return {
    appCpuSeconds: round(appCpuSeconds),
    databaseCpuSeconds: inputs.databaseCpuSeconds === null ? null : round(database),
    benchCpuSeconds: round(inputs.benchCpuSeconds),
    cpuMsPerOrder:
      inputs.completed > 0 ? round(((appCpuSeconds + database) * 1000) / inputs.completed) : null,
    shopCpuPercent: round((shop / inputs.windowSeconds) * 100, 1),
    machineCpuPercent: inputs.machineCpuPercent,
    cores: inputs.cores,
    windowSeconds: round(inputs.windowSeconds),
  };
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Polls `done` every 50 ms until it holds or `timeoutMs` passed; true if it held. */
export async function waitFor(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}
