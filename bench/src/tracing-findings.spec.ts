import type { ScenarioResult, TracingSummary, Variant } from './model';
import { tracingFinding, tracingSummaryText } from './tracing-findings';

const summary = (overrides: Partial<TracingSummary> = {}): TracingSummary => ({
  rounds: 2,
  off: {
    orders: 200,
    cpuMsPerOrder: 2,
    clientP50Ms: 1.2,
    clientP99Ms: 4,
    buzzP50Ms: 60,
    buzzP99Ms: 90,
    orderPeakRssMb: 81,
  },
  on: {
    orders: 200,
    cpuMsPerOrder: 2.5,
    clientP50Ms: 1.5,
    clientP99Ms: 5,
    buzzP50Ms: 62,
    buzzP99Ms: 95,
    orderPeakRssMb: 104,
  },
  cpuMsPerOrderDelta: 0.5,
  cpuPercentDelta: 25,
  traces: { orders: 200, traces: 200, complete: 200, missing: 0, split: 0 },
  oneTracePerOrder: true,
  ...overrides,
});

const scenario = (variant: Variant, tracing: TracingSummary): ScenarioResult => ({
  scenario: 'tracing',
  transport: variant === 'rmq' ? 'rmq' : 'http',
  variant,
  runs: [],
  tracing,
  wallSeconds: 60,
});

describe('tracingSummaryText', () => {
  it('states CPU per order, latency and RSS off → on, and the traces', () => {
    expect(tracingSummaryText('rmq', summary())).toBe(
      'rmq: CPU 2.00 → 2.50 ms per order (+25.0 %), client p50/p99 1.2/4.0 → 1.5/5.0 ms, ' +
        "buzz p50/p99 60.0/90.0 → 62.0/95.0 ms, order's peak RSS 81 → 104 MB (2 rounds); " +
        '200 orders traced → 200 traces, 200 complete: one trace per order',
    );
  });

  it('names what went wrong with the traces', () => {
    const broken = summary({
      traces: { orders: 200, traces: 197, complete: 195, missing: 2, split: 1 },
      oneTracePerOrder: false,
      cpuPercentDelta: -1.5,
    });
    const text = tracingSummaryText('http', broken);
    expect(text).toContain('(−1.5 %)');
    expect(text).toContain(
      '200 orders traced → 197 traces, 195 complete: NOT one trace per order (2 without a trace, 1 split, 2 incomplete)',
    );
  });
});

describe('tracingFinding', () => {
  it('holds when both transports made one trace per order, with their figures', () => {
    const finding = tracingFinding([scenario('http', summary()), scenario('rmq', summary())]);
    expect(finding.holds).toBe(true);
    expect(finding.figures).toMatchObject({
      httpCpuMsPerOrderOff: 2,
      rmqCpuMsPerOrderOn: 2.5,
      rmqCpuPercentDelta: 25,
      rmqTraces: 200,
    });
    expect(finding.explanation).toMatch(/^http: CPU 2\.00 → 2\.50 ms per order .*\. rmq: CPU/);
  });

  it('does not hold when one transport split an order', () => {
    const split = summary({ oneTracePerOrder: false });
    expect(tracingFinding([scenario('http', summary()), scenario('rmq', split)]).holds).toBe(false);
  });

  it('is not measured without the tracing scenario under both transports', () => {
    const finding = tracingFinding([scenario('rmq', summary())]);
    expect(finding.holds).toBeNull();
    expect(finding.explanation).toContain('--tracing');
  });
});
