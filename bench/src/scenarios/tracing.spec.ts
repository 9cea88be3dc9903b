import type { ReceivedSpan } from '@app/telemetry';
import type { TraceCount } from '../model';
import { latencyOf, runOf } from '../testing/fixtures';
import { countTraces, cpuMsPerOrder, oneTracePerOrder, summarizeTracing } from './tracing';

function span(traceId: string, name: string, attributes: ReceivedSpan['attributes'] = {}) {
  return {
    service: 'order',
    traceId,
    spanId: `${traceId}-${name}`,
    name,
    kind: 1,
    start: 0,
    end: 1,
    attributes,
    links: [],
    error: false,
  } as ReceivedSpan;
}

/** One order's whole trace: created by its correlation id, named by its order id, buzzed. */
const orderTrace = (trace: string, correlationId: string, orderId: string) => [
  span(trace, 'create order.placed', { 'messaging.message.conversation_id': correlationId }),
  span(trace, 'brew coffee', { 'shop.order.id': orderId }),
  span(trace, 'buzz customer', { 'shop.order.id': orderId }),
];

describe('countTraces', () => {
  const orders = [
    { correlationId: 'c1', orderId: 'o1' },
    { correlationId: 'c2', orderId: 'o2' },
  ];

  it('finds one complete trace per order', () => {
    const spans = [...orderTrace('t1', 'c1', 'o1'), ...orderTrace('t2', 'c2', 'o2')];
    const count = countTraces(spans, orders);
    expect(count).toEqual({ orders: 2, traces: 2, complete: 2, missing: 0, split: 0 });
    expect(oneTracePerOrder(count)).toBe(true);
  });

  it('counts an order without a trace, one split over two, and one not buzzed (yet)', () => {
    const spans = [
      span('t1', 'create order.placed', { 'messaging.message.conversation_id': 'c1' }),
      span('t1', 'brew coffee', { 'shop.order.id': 'o1' }),
      // o1's buzz landed in another trace: the order is split and its trace incomplete.
      span('tX', 'buzz customer', { 'shop.order.id': 'o1' }),
    ];
    const count = countTraces(spans, orders);
    expect(count).toEqual({ orders: 2, traces: 1, complete: 0, missing: 1, split: 1 });
    expect(oneTracePerOrder(count)).toBe(false);
  });

  it('sees two orders in one trace as fewer traces than orders', () => {
    const spans = [
      ...orderTrace('t1', 'c1', 'o1'),
      span('t1', 'create order.placed', { 'messaging.message.conversation_id': 'c2' }),
      span('t1', 'buzz customer', { 'shop.order.id': 'o2' }),
    ];
    const count = countTraces(spans, orders);
    expect(count.traces).toBe(1);
    expect(oneTracePerOrder(count)).toBe(false);
  });

  it('holds nothing for a run without orders', () => {
    expect(oneTracePerOrder(countTraces([], []))).toBe(false);
  });
});

describe('summarizeTracing', () => {
  const traced = (orders: number): TraceCount => ({
    orders,
    traces: orders,
    complete: orders,
    missing: 0,
    split: 0,
  });
  /** A run of 100 completed orders that took `cpuSeconds` of CPU over its three processes. */
  const run = (on: boolean, cpuSeconds: number, clientP99: number) => {
    const base = runOf('rmq', { clientLatency: latencyOf(clientP99 / 2, clientP99) });
    const processes = base.processes.map((p, i) => ({
      ...p,
      cpuSeconds: i === 0 ? cpuSeconds : 0,
      peakRssMb: on ? 120 : 80,
    }));
    const withCpu = { ...base, processes };
    return {
      ...withCpu,
      tracing: { on, cpuMsPerOrder: cpuMsPerOrder(withCpu), traces: on ? traced(100) : null },
    };
  };

  it('sums CPU per order over each side, takes latency medians, adds up the traces', () => {
    const summary = summarizeTracing(
      [run(false, 0.2, 10), run(true, 0.3, 12), run(true, 0.25, 14), run(false, 0.2, 20)],
      2,
    );
    expect(summary.off).toMatchObject({ orders: 200, cpuMsPerOrder: 2, clientP99Ms: 15 });
    expect(summary.on).toMatchObject({ orders: 200, cpuMsPerOrder: 2.75, clientP99Ms: 13 });
    expect(summary.on.orderPeakRssMb).toBe(120);
    expect(summary.cpuMsPerOrderDelta).toBe(0.75);
    expect(summary.cpuPercentDelta).toBe(37.5);
    expect(summary.traces).toEqual(traced(200));
    expect(summary.oneTracePerOrder).toBe(true);
  });
});
