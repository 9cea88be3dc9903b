import type { Finding, ScenarioResult, TracingSummary, Variant } from './model';

const num = (value: number | null, digits = 2) => (value === null ? '?' : value.toFixed(digits));
const signed = (value: number | null) =>
  value === null ? '?' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(1)} %`;

/**
 * One line per transport: CPU per order and latency with tracing off → on, and how the orders of
 * the tracing-on runs came out as traces.
 */
export function tracingSummaryText(variant: Variant, summary: TracingSummary): string {
  const { off, on, traces } = summary;
  const verdict = summary.oneTracePerOrder
    ? 'one trace per order'
    : `NOT one trace per order (${traces.missing} without a trace, ${traces.split} split, ${traces.traces - traces.complete} incomplete)`;
  return (
    `${variant}: CPU ${num(off.cpuMsPerOrder)} → ${num(on.cpuMsPerOrder)} ms per order (${signed(summary.cpuPercentDelta)}), ` +
    `client p50/p99 ${num(off.clientP50Ms, 1)}/${num(off.clientP99Ms, 1)} → ${num(on.clientP50Ms, 1)}/${num(on.clientP99Ms, 1)} ms, ` +
    `buzz p50/p99 ${num(off.buzzP50Ms, 1)}/${num(off.buzzP99Ms, 1)} → ${num(on.buzzP50Ms, 1)}/${num(on.buzzP99Ms, 1)} ms, ` +
    `order's peak RSS ${Math.round(off.orderPeakRssMb)} → ${Math.round(on.orderPeakRssMb)} MB ` +
    `(${summary.rounds} rounds); ${traces.orders} orders traced → ${traces.traces} traces, ${traces.complete} complete: ${verdict}`
  );
}

/**
 * Issue 14's "done when": with tracing on every order of a run is one trace under both
 * transports, and what tracing costs per order is measured against tracing off in the same run.
 */
export function tracingFinding(results: ScenarioResult[]): Finding {
  const id = 'tracing-one-trace-per-order-cost-measured';
  const claim =
    'With OpenTelemetry on, every order is one complete trace under both transports; its cost per order is measured against tracing off in the same run (alternating rounds).';
  const measured = (['http', 'rmq'] as const).flatMap((variant) => {
    const result = results.find(
      (r) => r.scenario === 'tracing' && r.variant === variant && !r.error && r.tracing,
    );
    return result?.tracing ? [{ variant, summary: result.tracing }] : [];
  });
  if (measured.length < 2) {
    return {
      id,
      claim,
      holds: null,
      figures: {},
      explanation:
        'Not measured in this run: needs the tracing scenario (--tracing) under http and rmq.',
    };
  }
  const figures: Finding['figures'] = {};
  for (const { variant, summary } of measured) {
    figures[`${variant}CpuMsPerOrderOff`] = summary.off.cpuMsPerOrder;
    figures[`${variant}CpuMsPerOrderOn`] = summary.on.cpuMsPerOrder;
    figures[`${variant}CpuPercentDelta`] = summary.cpuPercentDelta;
    figures[`${variant}ClientP99MsOff`] = summary.off.clientP99Ms;
    figures[`${variant}ClientP99MsOn`] = summary.on.clientP99Ms;
    figures[`${variant}BuzzP99MsOff`] = summary.off.buzzP99Ms;
    figures[`${variant}BuzzP99MsOn`] = summary.on.buzzP99Ms;
    figures[`${variant}OrdersTraced`] = summary.traces.orders;
    figures[`${variant}Traces`] = summary.traces.traces;
    figures[`${variant}CompleteTraces`] = summary.traces.complete;
  }
  const holds = measured.every(({ summary }) => summary.oneTracePerOrder);
  return {
    id,
    claim,
    holds,
    figures,
    explanation:
      measured.map(({ variant, summary }) => tracingSummaryText(variant, summary)).join('. ') + '.',
  };
}
