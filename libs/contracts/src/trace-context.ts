import { randomFillSync } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/), the `traceparent` header only:
 * `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`. Written here rather than taken from
 * @opentelemetry/core: its propagator works on OpenTelemetry Context objects and spans, and new
 * ids come from the SDK, which this project does not run; the shop needs parse, format and "a
 * child of this one", a few lines each against the spec.
 */
export interface TraceContext {
  readonly traceId: string;
  /** The span this context names: the parent id of whoever continues it. */
  readonly spanId: string;
  readonly flags: string;
}

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// A later version may append fields after a dash; its first four fields read as version 00's.
const LATER_VERSION = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** Sampled: tells a downstream that the trace is being recorded (the shop records every one). */
const SAMPLED = '01';

/** The trace context in a `traceparent` value, or undefined if there is none or it is invalid. */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string' || value.length < 55 || value.length > 512) return undefined;
  let traceId: string;
  let spanId: string;
  let flags: string;
  const v00 = VERSION_00.exec(value);
  if (v00) {
    [, traceId, spanId, flags] = v00;
  } else {
    const later = LATER_VERSION.exec(value);
    // Version ff is invalid; version 00 with extra fields is too (caught by VERSION_00 above).
    if (!later || later[1] === 'ff' || later[1] === '00') return undefined;
    [, , traceId, spanId, flags] = later;
  }
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, flags };
}

export function formatTraceparent({ traceId, spanId, flags }: TraceContext): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/**
 * The next hop's context: the same trace and flags with a new span id, or a new trace when
 * there is no valid parent.
 */
export function childContext(parent?: TraceContext | string): TraceContext {
  const context = typeof parent === 'string' ? parseTraceparent(parent) : parent;
  if (!context) return { traceId: randomHex(16), spanId: randomHex(8), flags: SAMPLED };
  return { traceId: context.traceId, spanId: randomHex(8), flags: context.flags };
}

/** `traceparent` for the next hop after `parent` (see {@link childContext}). */
export function childTraceparent(parent?: TraceContext | string): string {
  return formatTraceparent(childContext(parent));
}

// Random bytes are drawn in blocks: one call to the OS per 512 ids instead of one per id.
const pool = Buffer.alloc(4096);
let used = pool.length;

function randomHex(bytes: number): string {
  let hex: string;
  do {
    if (used + bytes > pool.length) {
      randomFillSync(pool);
      used = 0;
    }
    hex = pool.toString('hex', used, used + bytes);
    used += bytes;
  } while (/^0+$/.test(hex)); // all zeros is invalid (and rarer than one in 2^64)
  return hex;
}
