import { setTimeout as sleep } from 'node:timers/promises';
import { BrewTap, countRebrews } from '../broker';
import { RabbitmqCtl, type BrokerControl } from '../broker-control';
import { urlsAvoiding, type BrokerCluster } from '../cluster';
import {
  NODE_LOSS_FAULTS,
  type FaultFigures,
  type FaultKind,
  type QueueType,
  type RecoveryFigures,
  type RunResult,
  type ScenarioResult,
  type Transport,
} from '../model';
import type { FaultsPlan } from '../plan';
import { summarize, type OrderOutcome } from '../stats';
import { CallerHealthSampler, type CallerHealthSamples } from '../caller-health';
import { callerHealthSummary, faultSeries } from '../cascade';
import type { FrozenRole, ShopSystem } from '../system';
import type { RunContext } from './context';
import { measureLoad, round, Shop, warmupRateFor, type LoadRun } from './measure';
import {
  NODE_LOSS_NEEDS_NEST,
  NODE_LOSS_NOT_APPLICABLE,
  nodeLossLabel,
  nodeLossPlan,
  takeNodeAway,
  victimQueue,
} from './node-loss';

export const FAULT_LABELS: Record<FaultKind, string> = {
  barista: 'barista-kill',
  'barista-hang': 'barista-hang',
  'barista-slow': 'barista-slow',
  'pager-hang': 'pager-hang',
  broker: 'broker-restart',
  'broker-node-loss': 'broker-node-loss',
  'broker-node-kill': 'broker-node-kill',
};

export const SLOW_NEEDS_NEST =
  'not applicable: the bare baseline barista has no run-time brew slowdown (FAULT_INJECTION)';

export const BROKER_NOT_APPLICABLE =
  'not applicable: the http shop never connects to RabbitMQ, so restarting it cannot touch the shop';

/** When each step of a fault happened, in ms since load start (what `mark` returns). */
export interface FaultTimes {
  injected?: number;
  down?: number;
  restarted?: number;
  healthy?: number;
  exit?: string;
}

type Mark = (what: string) => number;

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/** What the barista fault needs of the shop (ShopSystem has it). */
export interface BaristaTarget {
  killBarista(instance: number): Promise<string | undefined>;
  startBarista(instance: number): Promise<void>;
}

/**
 * kill -9 barista#1, wait `downMs` after it exited, start it again and wait until it is healthy.
 * Interrupted (Ctrl-C) while it is down, it stays down: the whole shop is about to be stopped.
 */
export async function killAndRestartBarista(
  target: BaristaTarget,
  plan: Pick<FaultsPlan, 'downMs'>,
  signal: AbortSignal,
  mark: Mark,
  times: FaultTimes,
): Promise<void> {
  times.injected = mark('barista killed (SIGKILL)');
  times.exit = await target.killBarista(1);
  times.down = mark(`barista exited (${times.exit ?? 'unknown'})`);
  await pause(plan.downMs, signal);
  if (signal.aborted) return;
  times.restarted = mark('barista started again');
  await target.startBarista(1);
  times.healthy = mark('barista healthy');
}

/**
 * Stops the broker, waits `downMs`, and starts it again, waiting until it accepts connections. The
 * start is in a `finally`: whatever happens meanwhile (an error, Ctrl-C), the broker that other
 * programs on this machine use is never left stopped by the bench.
 */
export async function restartBroker(
  control: BrokerControl,
  plan: Pick<FaultsPlan, 'downMs' | 'brokerUpTimeoutMs'>,
  signal: AbortSignal,
  mark: Mark,
  times: FaultTimes,
): Promise<void> {
  times.injected = mark('broker stopping (rabbitmqctl stop_app)');
  try {
    await control.stop();
    times.down = mark('broker stopped');
    await pause(plan.downMs, signal);
  } finally {
    times.restarted = mark('broker starting (rabbitmqctl start_app)');
    await control.start();
    await control.waitUp(plan.brokerUpTimeoutMs);
    times.healthy = mark('broker up (ping and AMQP)');
  }
}

/** What the hang and slow faults need of the shop (ShopSystem has it). */
export interface CalleeTarget {
  freeze(role: FrozenRole): void;
  thaw(role: FrozenRole): Promise<void>;
  slowBarista(factor: number): Promise<void>;
}

/**
 * SIGSTOP barista#1 or pager for `hangMs`, then SIGCONT and wait until it answers again. The
 * SIGCONT is in a `finally`: whatever happens meanwhile (Ctrl-C), nothing is left frozen.
 */
export async function freezeAndThaw(
  target: CalleeTarget,
  role: FrozenRole,
  plan: Pick<FaultsPlan, 'hangMs'>,
  signal: AbortSignal,
  mark: Mark,
  times: FaultTimes,
): Promise<void> {
  times.injected = mark(`${role} frozen (SIGSTOP)`);
  target.freeze(role);
  times.down = times.injected;
  try {
    await pause(plan.hangMs, signal);
  } finally {
    times.restarted = mark(`${role} resumed (SIGCONT)`);
    await target.thaw(role);
    times.healthy = mark(`${role} answers again`);
  }
}

/** Barista brews `slowFactor` times slower for `hangMs`, then at its pace again (in a `finally`). */
export async function slowDownBarista(
  target: CalleeTarget,
  plan: Pick<FaultsPlan, 'hangMs' | 'slowFactor'>,
  signal: AbortSignal,
  mark: Mark,
  times: FaultTimes,
): Promise<void> {
  await target.slowBarista(plan.slowFactor);
  times.injected = mark(`barista slowed down (brew × ${plan.slowFactor})`);
  times.down = times.injected;
  try {
    await pause(plan.hangMs, signal);
  } finally {
    await target.slowBarista(1);
    times.restarted = mark('barista at its pace again');
    times.healthy = times.restarted;
  }
}

export interface RecoveryCriteria {
  readonly recoveryShare: number;
  readonly normalBuzzFactor: number;
  readonly normalBuzzFloorMs: number;
}

/**
 * How long the shop took to complete orders normally again after a fault. An order completes
 * normally when it is accepted and buzzed within max(floor, factor × the buzz p99 of the orders
 * buzzed before the fault) of its send time. The time after the fault is cut into one-second slots
 * by due time (slot 0 starts at the fault); the shop has recovered at the first slot from which
 * every slot up to the end of the load had at least `share` of its orders complete normally. So
 * under rmq the orders that queued behind the backlog count as not yet recovered, and under http
 * the orders refused while barista was down do. Also: from the fault to the last buzz of the
 * orders due while it lasted (the backlog drained).
 */
export function recoveryOf(
  outcomes: readonly OrderOutcome[],
  at: { readonly faultAtMs: number; readonly healthyAtMs: number; readonly loadEndMs: number },
  criteria: RecoveryCriteria,
): RecoveryFigures {
  const latency = (o: OrderOutcome) => (o.buzzedMs === null ? null : o.buzzedMs - o.dueMs);
  // Orders buzzed before the fault: those due just before it may still have been in flight and
  // caught by it, and would stretch the bound by the very delay being measured.
  const before = outcomes
    .filter((o) => o.buzzedMs !== null && o.buzzedMs < at.faultAtMs)
    .map(latency)
    .filter((ms): ms is number => ms !== null);
  const floor = criteria.normalBuzzFloorMs;
  let normalBuzzMs = floor;
  let normalBuzzBasis = `${floor} ms floor (fewer than 10 orders buzzed before the fault)`;
  if (before.length >= 10) {
    const p99 = summarize(before).p99;
    const scaled = criteria.normalBuzzFactor * p99;
    normalBuzzMs = Math.round(Math.max(floor, scaled));
    normalBuzzBasis =
      scaled >= floor
        ? `${criteria.normalBuzzFactor} × buzz p99 before the fault (${round(p99, 1)} ms)`
        : `${floor} ms floor (${criteria.normalBuzzFactor} × buzz p99 before the fault was ${round(scaled, 1)} ms)`;
  }
  const slots = Math.max(0, Math.ceil((at.loadEndMs - at.faultAtMs) / 1000));
  const due = Array.from({ length: slots }, () => ({ all: 0, normal: 0 }));
  for (const o of outcomes) {
    if (o.dueMs < at.faultAtMs || o.dueMs >= at.loadEndMs) continue;
    const slot = due[Math.min(slots - 1, Math.floor((o.dueMs - at.faultAtMs) / 1000))];
    slot.all += 1;
    const ms = latency(o);
    if (o.accepted && ms !== null && ms <= normalBuzzMs) slot.normal += 1;
  }
  // A slot in which nothing was due (a rate under 1/s) cannot show a problem.
  const shares = due.map((slot) => (slot.all === 0 ? 1 : slot.normal / slot.all));
  let recoverSeconds: number | null = null;
  for (let k = shares.length - 1; k >= 0 && shares[k] >= criteria.recoveryShare; k -= 1)
    recoverSeconds = k;
  const drained = outcomes
    .filter((o) => o.dueMs >= at.faultAtMs && o.dueMs < at.healthyAtMs && o.buzzedMs !== null)
    .map((o) => o.buzzedMs as number);
  return {
    normalBuzzMs,
    normalBuzzBasis,
    share: criteria.recoveryShare,
    recoverSeconds,
    backlogDrainedSeconds:
      drained.length === 0 ? null : round((Math.max(...drained) - at.faultAtMs) / 1000, 1),
    normalShareBySecond: shares.map((share) => round(share, 3)),
  };
}

/** Seconds as the report prints them. */
const s = (ms: number) => (ms / 1000).toFixed(1);

/** `detail`: how the broker is restarted (broker), or the node taken away (node loss). */
function actionOf(kind: FaultKind, plan: FaultsPlan, detail: string): string {
  switch (kind) {
    case 'barista':
      return `kill -9 barista#1, started again ${s(plan.downMs)} s after it exited`;
    case 'barista-hang':
    case 'pager-hang':
      return `SIGSTOP ${kind === 'pager-hang' ? 'pager' : 'barista#1'} for ${s(plan.hangMs)} s, then SIGCONT`;
    case 'barista-slow':
      return `barista#1 brews ${plan.slowFactor} × slower for ${s(plan.hangMs)} s`;
    case 'broker':
      return `${detail}, start_app ${s(plan.downMs)} s after stop_app returned`;
    case 'broker-node-loss':
      return `rabbitmqctl stop_app on ${detail} (leading barista's queue), start_app ${s(plan.downMs)} s after it returned`;
    case 'broker-node-kill':
      return `kill -9 of ${detail} (leading barista's queue), booted again ${s(plan.downMs)} s after it exited`;
  }
}

/** The figures of one fault run, from its book and the times its steps happened. */
export function faultFigures(
  kind: FaultKind,
  measured: Pick<LoadRun, 'book' | 'startAt' | 'loadEnd' | 'endAt'>,
  times: FaultTimes,
  plan: FaultsPlan,
  rebrews: { brewedTwice: number; extraBrews: number } | null,
  detail: string,
): FaultFigures {
  const { book, startAt, loadEnd, endAt } = measured;
  const faultAt = times.injected ?? plan.faultAtMs;
  const backAt = times.healthy ?? times.restarted ?? faultAt + plan.downMs;
  return {
    kind,
    action: actionOf(kind, plan, detail),
    injectedAtMs: times.injected ?? null,
    downAtMs: times.down ?? null,
    restartedAtMs: times.restarted ?? null,
    healthyAtMs: times.healthy ?? null,
    ...(times.exit !== undefined ? { exit: times.exit } : {}),
    waitBefore: book.waitsBetween(-Infinity, startAt + faultAt, endAt),
    waitDuring: book.waitsBetween(startAt + faultAt, startAt + backAt, endAt),
    beforeFault: book.window(-Infinity, startAt + faultAt),
    duringFault: book.window(startAt + faultAt, startAt + backAt),
    afterFault: book.window(startAt + backAt, Infinity),
    recovery: recoveryOf(
      book.outcomes(startAt),
      { faultAtMs: faultAt, healthyAtMs: backAt, loadEndMs: loadEnd - startAt },
      plan,
    ),
    brewedTwice: rebrews?.brewedTwice ?? null,
    extraBrews: rebrews?.extraBrews ?? null,
  };
}

/** Node-loss faults: the cluster and the node leading barista's queue, chosen at run time. */
interface NodeTarget {
  readonly cluster: BrokerCluster;
  readonly node: string;
}

async function inject(
  kind: FaultKind,
  system: ShopSystem,
  broker: BrokerControl,
  target: NodeTarget | undefined,
  ctx: RunContext,
  plan: FaultsPlan,
  mark: Mark,
  times: FaultTimes,
): Promise<void> {
  switch (kind) {
    case 'barista':
      return killAndRestartBarista(system, plan, ctx.abort, mark, times);
    case 'barista-hang':
      return freezeAndThaw(system, 'barista', plan, ctx.abort, mark, times);
    case 'pager-hang':
      return freezeAndThaw(system, 'pager', plan, ctx.abort, mark, times);
    case 'barista-slow':
      return slowDownBarista(system, plan, ctx.abort, mark, times);
    case 'broker':
      return restartBroker(broker, plan, ctx.abort, mark, times);
    case 'broker-node-loss':
    case 'broker-node-kill':
      if (!target) throw new Error(`${kind} needs the 3-node cluster`);
      return takeNodeAway(target.cluster, target.node, kind, plan.nodeLoss, ctx.abort, mark, times);
  }
}

async function runFault(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
  kind: FaultKind,
  broker: BrokerControl,
  cluster?: BrokerCluster,
): Promise<RunResult> {
  const plan = cluster ? nodeLossPlan(ctx.plan.faults) : ctx.plan.faults;
  const system = await shop.use(plan, warmupRateFor(plan.phases[0].rate, plan));
  // Up and reachable by its CLI before anything is stopped: a broker that cannot be controlled
  // from here fails the run before the load, not halfway through it.
  if (kind === 'broker') await broker.waitUp(10000);
  // The node to take away leads (quorum) or holds (classic) barista's queue; the bench's own
  // observers sit on the other nodes, so that they see the fault rather than suffer it.
  const target = cluster
    ? { cluster, node: await cluster.queueLeader(victimQueue(system.options.namespace)) }
    : undefined;
  const observerUrl = target ? urlsAvoiding(target.cluster, target.node) : shop.amqpUrl;
  const tap =
    transport === 'rmq' ? await BrewTap.open(observerUrl, system.options.namespace) : undefined;
  const times: FaultTimes = {};
  const caller = new CallerHealthSampler(system.orderUrl, system.orderProcess?.pid);
  const brewsBefore = await system.brewTotal();
  const label = shop.broker?.queueType
    ? nodeLossLabel(FAULT_LABELS[kind], shop.broker.queueType)
    : FAULT_LABELS[kind];
  let measured: LoadRun;
  let health: CallerHealthSamples;
  try {
    await caller.start();
    measured = await measureLoad(ctx, system, shop.orderClient, {
      label,
      phases: plan.phases,
      drain: ctx.plan.drain,
      observerUrl,
      during: async (startAt, mark) => {
        const delay = startAt + plan.faultAtMs - performance.now();
        if (delay > 0) await pause(delay, ctx.abort);
        if (ctx.abort.aborted) return;
        await inject(kind, system, broker, target, ctx, plan, mark, times);
      },
    });
  } finally {
    health = await caller.stop();
    await tap?.close();
  }
  const brewsAfter = await system.brewTotal();
  const rebrews = tap ? countRebrews(tap.seen(), (id) => measured.book.knowsOrder(id)) : null;
  const detail = target?.node ?? broker.description;
  const figures = faultFigures(kind, measured, times, plan, rebrews, detail);
  const series = faultSeries({ ...measured, timeline: measured.run.timeline }, health);
  const callerHealth = callerHealthSummary(
    kind,
    { ...measured, timeline: measured.run.timeline },
    health,
    series,
    {
      faultAtMs: figures.injectedAtMs ?? plan.faultAtMs,
      backAtMs: figures.healthyAtMs ?? figures.restartedAtMs ?? plan.faultAtMs + plan.hangMs,
    },
    brewsBefore !== null && brewsAfter !== null ? brewsAfter - brewsBefore : null,
    measured.run.counts.completed,
  );
  const leaderAfter = target
    ? await target.cluster.queueLeader(victimQueue(system.options.namespace)).catch(() => null)
    : undefined;
  const fault: FaultFigures = {
    ...figures,
    ...(target ? { node: target.node, leaderAfter: leaderAfter ?? null } : {}),
    series,
    callerHealth,
  };
  const notes = [...measured.run.notes];
  if (rebrews && rebrews.brewedTwice > 0) {
    const { brewedTwice, extraBrews } = rebrews;
    const buzzedTwice = measured.run.counts.duplicated;
    notes.push(
      `${brewedTwice} ${brewedTwice === 1 ? 'order was' : 'orders were'} brewed more than once (${extraBrews} extra CoffeeBrewed, each with its own message id); ${buzzedTwice} ${buzzedTwice === 1 ? 'was' : 'were'} buzzed more than once`,
    );
  }
  if (fault.recovery.recoverSeconds === null) {
    notes.push(
      `did not recover within the load: fewer than ${fault.recovery.share * 100} % of the orders of the last second completed within ${fault.recovery.normalBuzzMs} ms`,
    );
  }
  return { ...measured.run, notes, fault };
}

/** Why a node-loss fault cannot run against this shop, or undefined if it can. */
function nodeLossUnavailable(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): string | undefined {
  if (transport !== 'rmq') return NODE_LOSS_NOT_APPLICABLE;
  if (shop.kind !== 'nest') return NODE_LOSS_NEEDS_NEST;
  if (!ctx.cluster) return 'not run: no local RabbitMQ cluster in this run';
  return undefined;
}

/**
 * A node-loss fault on the 3-node cluster, once per queue type, each on a shop of its own (the
 * variant's shop stays on the machine's broker). The cluster is started on first use.
 */
async function runNodeLoss(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
  kind: FaultKind,
  broker: BrokerControl,
  runs: RunResult[],
  skipped: { label: string; reason: string }[],
): Promise<void> {
  const why = nodeLossUnavailable(ctx, transport, shop);
  if (why !== undefined || !ctx.cluster) {
    skipped.push({ label: FAULT_LABELS[kind], reason: why ?? 'no cluster' });
    return;
  }
  let cluster: BrokerCluster;
  try {
    ctx.progress.update('starting the local 3-node RabbitMQ cluster ...');
    cluster = await ctx.cluster.get();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    skipped.push({
      label: FAULT_LABELS[kind],
      reason: `the 3-node cluster did not start: ${reason}`,
    });
    return;
  }
  for (const queueType of ctx.plan.faults.nodeLoss.queueTypes) {
    if (ctx.abort.aborted) return;
    const onCluster = clusterShop(ctx, shop, `${kind}-${queueType}`, cluster, queueType);
    try {
      runs.push(await runFault(ctx, transport, onCluster, kind, broker, cluster));
    } finally {
      await onCluster.close();
    }
  }
}

/** A shop like `shop` whose apps connect to the cluster and declare `queueType` queues. */
export function clusterShop(
  ctx: RunContext,
  shop: Pick<Shop, 'kind' | 'entries' | 'variant'>,
  tag: string,
  cluster: Pick<BrokerCluster, 'amqpUrl'>,
  queueType: QueueType,
): Shop {
  return new Shop(ctx, shop.kind, shop.entries, shop.variant, tag, {
    kind: 'cluster',
    amqpUrl: cluster.amqpUrl,
    queueType,
  });
}

/**
 * Per variant, under a steady load: barista killed with SIGKILL and started again; barista
 * frozen (SIGSTOP) and resumed; barista slowed down and back; pager frozen and resumed; RabbitMQ
 * stopped and started again (rmq only: neither http shop uses it); on the 3-node cluster, the
 * node leading barista's queue stopped or killed and started again, with quorum and with classic
 * queues (rmq only). While each fault lasts, the caller's (order's) own health is sampled
 * alongside the orders. Each fault is one measured run. After a broker restart the shop is
 * stopped, so that later scenarios start a fresh one rather than inherit whatever state the
 * restart left the apps in.
 */
export async function runFaults(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  const broker = ctx.brokerControl ?? new RabbitmqCtl(ctx.amqpUrl);
  const runs: RunResult[] = [];
  const skipped: { label: string; reason: string }[] = [];
  for (const kind of ctx.plan.faults.kinds) {
    if (ctx.abort.aborted) break;
    if (kind === 'broker' && transport !== 'rmq') {
      skipped.push({ label: FAULT_LABELS[kind], reason: BROKER_NOT_APPLICABLE });
      continue;
    }
    if (kind === 'barista-slow' && shop.kind !== 'nest') {
      skipped.push({ label: FAULT_LABELS[kind], reason: SLOW_NEEDS_NEST });
      continue;
    }
    if (NODE_LOSS_FAULTS.includes(kind)) {
      await runNodeLoss(ctx, transport, shop, kind, broker, runs, skipped);
      continue;
    }
    runs.push(await runFault(ctx, transport, shop, kind, broker));
    if (kind === 'broker') await shop.close();
  }
  return {
    scenario: 'faults',
    transport,
    variant: shop.variant,
    runs,
    ...(skipped.length > 0 ? { skipped } : {}),
    wallSeconds: (performance.now() - started) / 1000,
  };
}
