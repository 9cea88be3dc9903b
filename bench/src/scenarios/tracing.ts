import { OtlpReceiver, type ReceivedSpan } from '@app/telemetry';
import type {
  RunResult,
  ScenarioResult,
  TraceCount,
  TracingSide,
  TracingSummary,
  Transport,
} from '../model';
import { median } from '../stats';
import type { RunContext } from './context';
import { measureLoad, round, Shop, waitFor, warmupRateFor } from './measure';

/** The orders of one run as the load client knows them. */
export interface KnownOrder {
  readonly correlationId: string;
  readonly orderId: string;
}

/**
 * How a run's accepted orders came out as traces: each order's trace is the one its `create
 * order.placed` span is in (found by the correlation id the client sent); a trace is complete once
 * the pager's `buzz customer` span is in it; an order is split when a span naming it
 * (`shop.order.id`) is in another trace.
 */
export function countTraces(
  spans: readonly ReceivedSpan[],
  orders: readonly KnownOrder[],
): TraceCount {
  const traceOf = new Map<string, string>();
  const tracesNaming = new Map<string, Set<string>>();
  const buzzed = new Set<string>();
  for (const span of spans) {
    const conversation = span.attributes['messaging.message.conversation_id'];
    if (span.name === 'create order.placed' && typeof conversation === 'string') {
      traceOf.set(conversation, span.traceId);
    }
    if (span.name === 'buzz customer') buzzed.add(span.traceId);
    const orderId = span.attributes['shop.order.id'];
    if (typeof orderId === 'string') {
      const seen = tracesNaming.get(orderId) ?? new Set<string>();
      seen.add(span.traceId);
      tracesNaming.set(orderId, seen);
    }
  }
  const traces = new Set<string>();
  let missing = 0;
  let split = 0;
  for (const order of orders) {
    const trace = traceOf.get(order.correlationId);
    if (trace === undefined) {
      missing += 1;
      continue;
    }
    traces.add(trace);
    if ([...(tracesNaming.get(order.orderId) ?? [])].some((other) => other !== trace)) split += 1;
  }
  const complete = [...traces].filter((trace) => buzzed.has(trace)).length;
  return { orders: orders.length, traces: traces.size, complete, missing, split };
}

/** Every accepted order one complete trace of its own. */
export function oneTracePerOrder(count: TraceCount): boolean {
  return (
    count.orders > 0 &&
    count.traces === count.orders &&
    count.complete === count.orders &&
    count.missing === 0 &&
    count.split === 0
  );
}

/** CPU time of the shop's processes over the run, per completed order (ms). */
export function cpuMsPerOrder(run: RunResult): number | null {
  const cpuSeconds = run.processes.reduce((sum, process) => sum + process.cpuSeconds, 0);
  return run.counts.completed > 0 ? round((cpuSeconds * 1000) / run.counts.completed, 3) : null;
}

function side(runs: readonly RunResult[]): TracingSide {
  const orders = runs.reduce((sum, run) => sum + run.counts.completed, 0);
  const cpuSeconds = runs.reduce(
    (sum, run) => sum + run.processes.reduce((total, process) => total + process.cpuSeconds, 0),
    0,
  );
  const mid = (pick: (run: RunResult) => number) => round(median(runs.map(pick)) ?? 0);
  return {
    orders,
    cpuMsPerOrder: orders > 0 ? round((cpuSeconds * 1000) / orders, 3) : null,
    clientP50Ms: mid((run) => run.clientLatency.p50),
    clientP99Ms: mid((run) => run.clientLatency.p99),
    buzzP50Ms: mid((run) => run.buzzLatency.p50),
    buzzP99Ms: mid((run) => run.buzzLatency.p99),
    orderPeakRssMb: Math.max(
      0,
      ...runs.flatMap((run) =>
        run.processes.filter((p) => p.role === 'order').map((p) => p.peakRssMb),
      ),
    ),
  };
}

/** Off vs on over the rounds: CPU per order summed over each side's runs, latency medians. */
export function summarizeTracing(runs: readonly RunResult[], rounds: number): TracingSummary {
  const off = side(runs.filter((run) => run.tracing && !run.tracing.on));
  const on = side(runs.filter((run) => run.tracing?.on));
  const counts = runs.flatMap((run) => (run.tracing?.traces ? [run.tracing.traces] : []));
  const traces: TraceCount = {
    orders: counts.reduce((sum, c) => sum + c.orders, 0),
    traces: counts.reduce((sum, c) => sum + c.traces, 0),
    complete: counts.reduce((sum, c) => sum + c.complete, 0),
    missing: counts.reduce((sum, c) => sum + c.missing, 0),
    split: counts.reduce((sum, c) => sum + c.split, 0),
  };
  const delta =
    off.cpuMsPerOrder !== null && on.cpuMsPerOrder !== null
      ? round(on.cpuMsPerOrder - off.cpuMsPerOrder, 3)
      : null;
  return {
    rounds,
    off,
    on,
    cpuMsPerOrderDelta: delta,
    cpuPercentDelta:
      delta !== null && off.cpuMsPerOrder ? round((delta / off.cpuMsPerOrder) * 100, 1) : null,
    traces,
    oneTracePerOrder: oneTracePerOrder(traces),
  };
}

/** Waits (bounded) until every accepted order's trace is complete, or nothing new arrives. */
async function awaitTraces(
  receiver: OtlpReceiver,
  orders: readonly KnownOrder[],
  flushMs: number,
): Promise<TraceCount> {
  let count = countTraces(receiver.spans, orders);
  let seen = receiver.spans.length;
  let lastChange = performance.now();
  await waitFor(() => {
    if (receiver.spans.length !== seen) {
      seen = receiver.spans.length;
      lastChange = performance.now();
      count = countTraces(receiver.spans, orders);
    }
    // Longer than the SDK's 5 s batch delay: a quiet spell shorter than that proves nothing.
    return count.complete >= orders.length || performance.now() - lastChange > 6000;
  }, flushMs);
  return countTraces(receiver.spans, orders);
}

/**
 * The steady load with OpenTelemetry off (the variant's own shop, as every other scenario runs
 * it) and on (a second shop with OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP/HTTP receiver
 * in this process), in alternating rounds (off, on; then on, off; ...) so that a drift of the
 * shared machine falls on both sides alike. Reports CPU per order and latency of each side, and
 * checks that every order of the tracing-on runs is exactly one complete trace.
 */
export async function runTracing(
  ctx: RunContext,
  transport: Transport,
  shop: Shop,
): Promise<ScenarioResult> {
  const started = performance.now();
  if (shop.kind !== 'nest')
    throw new Error('tracing needs the NestJS apps (drop --system baseline)');
  const plan = ctx.plan.tracing;
  const receiver = await OtlpReceiver.start();
  // The SDK's own batching (OTEL_BSP_SCHEDULE_DELAY 5 s, 512 spans a batch), as a user gets it:
  // the receiver's quick 100 ms, meant for tests, would cost more export requests per span.
  const { OTEL_BSP_SCHEDULE_DELAY: _quick, ...env } = receiver.env();
  const traced = new Shop(ctx, shop.kind, shop.entries, shop.variant, 'traced', undefined, env);
  const runs: RunResult[] = [];
  try {
    for (let round = 1; round <= plan.rounds && !ctx.abort.aborted; round += 1) {
      const order = round % 2 === 1 ? [false, true] : [true, false];
      for (const on of order) {
        if (ctx.abort.aborted) break;
        const target = on ? traced : shop;
        const system = await target.use(plan, warmupRateFor(plan.phases[0].rate, plan));
        const load = await measureLoad(ctx, system, target.orderClient, {
          label: `${on ? 'on' : 'off'}#${round}`,
          phases: plan.phases,
          drain: ctx.plan.drain,
        });
        const traces = on
          ? await awaitTraces(receiver, load.book.acceptedOrders(), plan.flushMs)
          : null;
        const run = { ...load.run, tracing: { on, cpuMsPerOrder: null, traces } };
        runs.push({ ...run, tracing: { ...run.tracing, cpuMsPerOrder: cpuMsPerOrder(run) } });
        ctx.progress.log(
          `  ${transport} tracing ${on ? 'on ' : 'off'} round ${round}: ${cpuMsPerOrder(run) ?? '-'} ms CPU/order` +
            (traces
              ? `, ${traces.orders} orders → ${traces.traces} traces (${traces.complete} complete)`
              : ''),
        );
      }
    }
  } finally {
    await traced.close();
    await receiver.close();
  }
  return {
    scenario: 'tracing',
    transport,
    variant: shop.variant,
    runs,
    tracing: summarizeTracing(runs, plan.rounds),
    wallSeconds: (performance.now() - started) / 1000,
  };
}
