import { envelope, EventTypes, type OrderPlaced } from './events';
import {
  childContext,
  childTraceparent,
  formatTraceparent,
  parseTraceparent,
} from './trace-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;

describe('parseTraceparent', () => {
  it('reads a version 00 traceparent', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE, spanId: SPAN, flags: '01' });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.flags).toBe('00');
  });

  it.each([
    ['missing', undefined],
    ['not a string', 42],
    ['an array (a repeated header)', [VALID, VALID]],
    ['empty', ''],
    ['upper-case hex', VALID.toUpperCase()],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with more fields', `${VALID}-extra`],
    ['a later version glued to more text', `01-${TRACE}-${SPAN}-01extra`],
    ['not hex', `00-${TRACE.replace('4', 'g')}-${SPAN}-01`],
  ])('refuses one that is %s', (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('reads the first four fields of a later version, as the spec asks', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-what-comes-later`)).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      flags: '01',
    });
  });
});

describe('formatTraceparent', () => {
  it('writes version 00, and reads back what it wrote', () => {
    const context = { traceId: TRACE, spanId: SPAN, flags: '01' };
    expect(formatTraceparent(context)).toBe(VALID);
    expect(parseTraceparent(formatTraceparent(context))).toEqual(context);
  });
});

describe('childContext', () => {
  it('keeps the trace and its flags, with a span id of its own', () => {
    const child = childContext(VALID);
    expect(child.traceId).toBe(TRACE);
    expect(child.flags).toBe('01');
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(SPAN);
    expect(childContext(parseTraceparent(VALID)).traceId).toBe(TRACE);
  });

  it('gives every hop a different span id', () => {
    const spans = new Set(Array.from({ length: 2000 }, () => childContext(VALID).spanId));
    expect(spans.size).toBe(2000);
  });

  it('starts a new, sampled trace without a valid parent', () => {
    for (const parent of [undefined, 'garbage', `00-${'0'.repeat(32)}-${SPAN}-01`]) {
      const started = parseTraceparent(childTraceparent(parent));
      expect(started).toBeDefined();
      expect(started?.traceId).not.toBe(TRACE);
      expect(started?.flags).toBe('01');
    }
    expect(childContext().traceId).not.toBe(childContext().traceId);
  });
});

describe('envelope', () => {
  const data = { orderId: 'o-1', customer: 'Ada', items: [], placedAt: '2025-01-01T10:00:00.000Z' };

  it("continues its cause's trace with a span of its own", () => {
    const event = envelope<OrderPlaced>(EventTypes.OrderPlaced, data, {
      correlationId: 'c-1',
      traceparent: VALID,
    });
    const trace = parseTraceparent(event.traceparent);
    expect(trace?.traceId).toBe(TRACE);
    expect(trace?.spanId).not.toBe(SPAN);
  });

  it('starts a trace when its cause carried none', () => {
    const event = envelope<OrderPlaced>(EventTypes.OrderPlaced, data, { correlationId: 'c-1' });
    expect(parseTraceparent(event.traceparent)).toBeDefined();
  });
});
