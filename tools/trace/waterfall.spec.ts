import type { ReceivedSpan } from '@app/telemetry';
import { layoutWaterfall, ticksFor } from './waterfall';

let next = 0;
/** A span of trace `t` from `start` to `end` (ms), under `parent` when given. */
function span(name: string, start: number, end: number, parent?: ReceivedSpan, extra = {}) {
  next += 1;
  return {
    service: 'order',
    traceId: 't',
    spanId: `s${next}`,
    ...(parent ? { parentSpanId: parent.spanId } : {}),
    name,
    kind: 1,
    start: 1_000_000 + start,
    end: 1_000_000 + end,
    attributes: {},
    links: [],
    error: false,
    ...extra,
  } as ReceivedSpan;
}

describe('layoutWaterfall', () => {
  it('puts each child under its parent, siblings by start, indented by depth', () => {
    const request = span('POST', 0, 100);
    const create = span('create order.placed', 10, 11, request);
    const send = span('send order.placed', 40, 60, create, { kind: 4 });
    const place = span('place', 5, 90, request);
    const process = span('process order.placed', 70, 200, send, { service: 'barista', kind: 5 });
    // Arrival order is the exporters', not the trace's.
    const waterfall = layoutWaterfall([process, send, place, create, request]);

    expect(waterfall.rows.map((row) => [row.name, row.depth])).toEqual([
      ['POST', 0],
      ['place', 1],
      ['create order.placed', 1],
      ['send order.placed', 2],
      ['process order.placed', 3],
    ]);
    expect(waterfall.totalMs).toBe(200);
    expect(waterfall.services).toEqual(['order', 'barista']);
    const processRow = waterfall.rows[4];
    expect(processRow).toMatchObject({
      service: 'barista',
      kind: 'consumer',
      offsetMs: 70,
      durationMs: 130,
      left: 0.35,
      width: 0.65,
    });
    expect(waterfall.rows[3].kind).toBe('producer');
  });

  it('lays out a span whose parent is missing as a root, and points links at their rows', () => {
    const create = span('create order.placed', 0, 1, undefined, { parentSpanId: 'elsewhere' });
    const send = span('send order.placed', 30, 50, create);
    const linked = {
      ...send,
      links: [
        { traceId: 't', spanId: create.spanId },
        { traceId: 't', spanId: 'gone' },
      ],
    };

    const { rows } = layoutWaterfall([linked, create]);

    expect(rows.map((row) => [row.name, row.depth])).toEqual([
      ['create order.placed', 0],
      ['send order.placed', 1],
    ]);
    expect(rows[1].links).toEqual([
      { spanId: create.spanId, row: 0 },
      { spanId: 'gone', row: undefined },
    ]);
  });

  it('refuses an empty trace', () => {
    expect(() => layoutWaterfall([])).toThrow('no spans');
  });
});

describe('ticksFor', () => {
  it('marks the axis at a 1-2-5 step, at most ten intervals, the last at or past the end', () => {
    expect(ticksFor(117)).toEqual([0, 20, 40, 60, 80, 100, 120]);
    expect(ticksFor(270)).toEqual([0, 50, 100, 150, 200, 250, 300]);
    expect(ticksFor(1000)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(ticksFor(0.9)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  });
});
