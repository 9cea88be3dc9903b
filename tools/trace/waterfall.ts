import type { ReceivedSpan } from '@app/telemetry';

/** One span as a bar of the waterfall. */
export interface WaterfallRow {
  readonly spanId: string;
  readonly name: string;
  readonly service: string;
  /** `server`, `client`, `producer`, `consumer` or `internal`. */
  readonly kind: string;
  /** How far below its root: 0 for a root, its parent's depth + 1 otherwise. */
  readonly depth: number;
  /** From the trace's first start to this span's start, and how long it lasted (ms). */
  readonly offsetMs: number;
  readonly durationMs: number;
  /** The bar's place on the time axis, as fractions of the trace's whole span (0..1). */
  readonly left: number;
  readonly width: number;
  readonly error: boolean;
  /** The rows this span links to (a `send` back to the `create` that stored its event). */
  readonly links: readonly { readonly spanId: string; readonly row: number | undefined }[];
}

export interface Waterfall {
  readonly traceId: string;
  readonly services: readonly string[];
  readonly totalMs: number;
  readonly rows: readonly WaterfallRow[];
  /** Time-axis marks (ms from the trace's start), at a round step, from 0 to past the end. */
  readonly ticks: readonly number[];
}

const KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/**
 * Lays one trace out as a waterfall: every span one row, a child right under its parent (and
 * its parent's earlier children's subtrees), siblings by start time, indented by depth, its bar
 * placed on the trace's time axis. A span whose parent is not in the trace (not exported, or
 * from a caller outside) is laid out as a root.
 */
export function layoutWaterfall(spans: readonly ReceivedSpan[]): Waterfall {
  if (spans.length === 0) throw new Error('no spans to lay out');
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, ReceivedSpan[]>();
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const byStart = (a: ReceivedSpan, b: ReceivedSpan) =>
    a.start - b.start || b.end - a.end || a.name.localeCompare(b.name);
  const start = Math.min(...spans.map((span) => span.start));
  const end = Math.max(...spans.map((span) => span.end));
  const totalMs = Math.max(end - start, 1e-3);

  const ordered: { span: ReceivedSpan; depth: number }[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const span of [...(children.get(parent) ?? [])].sort(byStart)) {
      ordered.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit(undefined, 0);

  const rowOf = new Map(ordered.map(({ span }, row) => [span.spanId, row]));
  const rows = ordered.map(({ span, depth }) => ({
    spanId: span.spanId,
    name: span.name,
    service: span.service,
    kind: KINDS[span.kind] ?? 'unspecified',
    depth,
    offsetMs: span.start - start,
    durationMs: span.end - span.start,
    left: (span.start - start) / totalMs,
    width: (span.end - span.start) / totalMs,
    error: span.error,
    links: span.links.map((link) => ({ spanId: link.spanId, row: rowOf.get(link.spanId) })),
  }));
  return {
    traceId: spans[0].traceId,
    services: [...new Set(rows.map((row) => row.service))],
    totalMs,
    rows,
    ticks: ticksFor(totalMs),
  };
}

/** Marks at a 1-2-5 step giving at most ten intervals, the last at or past `totalMs`. */
export function ticksFor(totalMs: number): number[] {
  const rough = totalMs / 10;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough)!;
  const ticks: number[] = [];
  for (let i = 0; ; i++) {
    // i × step, not a running sum: 0.1 added nine times is not 0.9.
    const at = Number((i * step).toPrecision(12));
    ticks.push(at);
    if (at >= totalMs) return ticks;
  }
}
