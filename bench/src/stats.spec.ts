import { checkCounts, LatencyHistogram, OrderBook, summarize } from './stats';

describe('LatencyHistogram', () => {
  it('summarises percentiles in ms with sub-millisecond resolution', () => {
    const histogram = new LatencyHistogram();
    for (let i = 1; i <= 100; i += 1) histogram.record(i);
    const summary = histogram.summary();
    expect(summary.count).toBe(100);
    expect(summary.p50).toBeCloseTo(50, 0);
    expect(summary.p90).toBeCloseTo(90, 0);
    expect(summary.p99).toBeCloseTo(99, 0);
    expect(summary.max).toBeCloseTo(100, 0);
    expect(summary.mean).toBeCloseTo(50.5, 1);
  });

  it('keeps sub-millisecond values apart and tolerates multi-second ones', () => {
    const summary = summarize([0.25, 0.25, 0.25, 0.5, 30_000]);
    expect(summary.p50).toBeCloseTo(0.25, 2);
    expect(summary.max).toBeGreaterThan(29_900);
    expect(summary.max).toBeLessThan(30_100);
  });

  it('gives zeros and count 0 when nothing was recorded', () => {
    expect(new LatencyHistogram().summary()).toEqual({
      count: 0,
      p50: 0,
      p90: 0,
      p95: 0,
      p99: 0,
      max: 0,
      mean: 0,
    });
  });

  it('records zero and negative clock noise as the smallest value instead of throwing', () => {
    const summary = summarize([0, -0.001]);
    expect(summary.count).toBe(2);
    expect(summary.max).toBeLessThan(0.01);
  });
});

describe('OrderBook accounting', () => {
  function book(): OrderBook {
    return new OrderBook('run', 0);
  }

  it('sent = accepted + failed and accepted = completed + lost', () => {
    const b = book();
    for (let seq = 0; seq < 10; seq += 1) b.register(seq, seq * 10, seq * 10);
    for (let seq = 0; seq < 7; seq += 1) b.accept(seq, seq * 10 + 5, `o${seq}`);
    b.fail(7, 80, { reason: '5xx', status: 503, hop: 'barista' });
    b.fail(8, 90, { reason: 'timeout', status: 504, hop: 'barista' });
    b.fail(9, 95, { reason: 'refused', hop: 'client' });
    for (let seq = 0; seq < 5; seq += 1)
      b.buzz({ orderId: `o${seq}`, correlationId: `run-${seq}` }, seq * 10 + 50);
    const { counts } = b.summary();
    expect(counts).toMatchObject({
      sent: 10,
      accepted: 7,
      failed: 3,
      completed: 5,
      lost: 2,
      duplicated: 0,
    });
    expect(counts.failedBy).toEqual({ timeout: 1, '5xx': 1, refused: 1, other: 0 });
    expect(counts.failedByHop).toEqual({ barista: 2, client: 1 });
    expect(counts.failedByStatus).toEqual({ '503': 1, '504': 1, none: 1 });
    expect(checkCounts(counts)).toEqual([]);
  });

  it('counts an order buzzed twice once as completed and once as duplicated', () => {
    const b = book();
    b.register(0, 0, 0);
    b.accept(0, 2, 'o0');
    b.buzz({ orderId: 'o0', correlationId: 'run-0' }, 10);
    b.buzz({ orderId: 'o0', correlationId: 'run-0' }, 20);
    b.buzz({ orderId: 'o0' }, 30);
    const { counts, buzzLatency } = b.summary();
    expect(counts).toMatchObject({ completed: 1, duplicated: 1, extraBuzzes: 2, lost: 0 });
    // Latency is to the first buzz.
    expect(buzzLatency.max).toBeCloseTo(10, 1);
  });

  it('matches a buzz that arrives before the HTTP answer (sync: pager is called first)', () => {
    const b = book();
    b.register(0, 100, 100);
    b.buzz({ orderId: 'o0', correlationId: 'run-0' }, 150);
    expect(b.completedCount).toBe(0);
    b.accept(0, 160, 'o0');
    expect(b.completedCount).toBe(1);
    expect(b.settled).toBe(true);
    const summary = b.summary();
    expect(summary.counts.completed).toBe(1);
    expect(summary.buzzLatency.p50).toBeCloseTo(50, 0);
    expect(summary.clientLatency.p50).toBeCloseTo(60, 0);
  });

  it('matches by order id when the correlation id was not kept, even before the answer names it', () => {
    const b = book();
    b.register(0, 0, 0);
    b.buzz({ orderId: 'o0', correlationId: 'someone-else' }, 5);
    b.accept(0, 6, 'o0');
    const { counts } = b.summary();
    expect(counts.completed).toBe(1);
    expect(counts.unmatchedBuzzes).toBe(0);
  });

  it('counts buzzes of unknown orders as unmatched, not as completions', () => {
    const b = book();
    b.register(0, 0, 0);
    b.accept(0, 1, 'o0');
    b.buzz({ orderId: 'stranger' }, 5);
    b.buzz({ correlationId: 'nobody' }, 6);
    const { counts } = b.summary();
    expect(counts).toMatchObject({ completed: 0, lost: 1, unmatchedBuzzes: 2 });
  });

  it('counts an order without any answer as a client timeout', () => {
    const b = book();
    b.register(0, 0, 0);
    const { counts } = b.summary();
    expect(counts).toMatchObject({ sent: 1, failed: 1, accepted: 0 });
    expect(counts.failedBy.timeout).toBe(1);
    expect(checkCounts(counts)).toEqual([]);
  });

  it('reports work done for an order the client was told had failed', () => {
    const b = book();
    b.register(0, 0, 0);
    b.fail(0, 10, { reason: 'timeout', status: 504, hop: 'barista' });
    b.buzz({ orderId: 'o0', correlationId: 'run-0' }, 20);
    const { counts } = b.summary();
    expect(counts).toMatchObject({ failed: 1, completed: 0, buzzedAfterFailure: 1 });
  });

  it('ignores a second answer for the same order', () => {
    const b = book();
    b.register(0, 0, 0);
    b.accept(0, 1, 'o0');
    b.fail(0, 2, { reason: 'other' });
    expect(b.summary().counts).toMatchObject({ accepted: 1, failed: 0 });
    expect(b.answersPending).toBe(0);
  });

  it('tracks what is still pending, for the drain', () => {
    const b = book();
    b.register(0, 0, 0);
    b.register(1, 0, 0);
    expect(b.answersPending).toBe(2);
    b.accept(0, 1, 'o0');
    b.fail(1, 1, { reason: 'other' });
    expect(b.answersPending).toBe(0);
    expect(b.awaitingBuzz).toBe(1);
    expect(b.settled).toBe(false);
    b.buzz({ correlationId: 'run-0' }, 3);
    expect(b.settled).toBe(true);
  });

  it('flags counts that do not add up', () => {
    const b = book();
    b.register(0, 0, 0);
    b.accept(0, 1, 'o0');
    const counts = { ...b.summary().counts, lost: 5 };
    expect(checkCounts(counts)).toEqual(['accepted 1 != completed 0 + lost 5']);
  });
});

/** Three orders over three seconds: two accepted and buzzed later, one failed. */
function threeOrders(): OrderBook {
  const b = new OrderBook('run', 0);
  b.register(0, 100, 100);
  b.register(1, 900, 900);
  b.register(2, 1500, 1500);
  b.accept(0, 200, 'a');
  b.accept(1, 1100, 'b');
  b.fail(2, 1600, { reason: '5xx', status: 503 });
  b.buzz({ correlationId: 'run-0' }, 2100);
  b.buzz({ correlationId: 'run-1' }, 2200);
  return b;
}

describe('OrderBook timeline and windows', () => {
  it('buckets orders by due second, answers and buzzes by when they happened', () => {
    const b = threeOrders();
    const timeline = b.timeline(0, 2500, [
      { at: 500, depth: 3 },
      { at: 600, depth: 7 },
      { at: 2300, depth: 1 },
    ]);
    expect(timeline).toEqual([
      { second: 0, sent: 2, accepted: 1, failed: 0, completed: 0, queueDepth: 7 },
      { second: 1, sent: 1, accepted: 1, failed: 1, completed: 0 },
      { second: 2, sent: 0, accepted: 0, failed: 0, completed: 2, queueDepth: 1 },
    ]);
  });

  it('counts, per second, the clients still waiting and the orders still awaiting their buzz', () => {
    const b = threeOrders();
    b.register(3, 2500, 2500);
    // Order 3 is never answered: it waits until the end.
    const seconds = b.waitsBySecond(0, 3500, 3);
    expect(seconds.map((s) => [s.awaitingAnswer, s.awaitingBuzz])).toEqual([
      [1, 1],
      [0, 2],
      [1, 0],
    ]);
    expect(seconds.map((s) => s.clientMaxMs)).toEqual([200, 100, 1000]);
    expect(b.waitsBetween(1000, 3000, 3500)).toMatchObject({ count: 2, max: 1000 });
  });

  it('says what became of the orders due in a window', () => {
    const b = new OrderBook('run', 0);
    for (let seq = 0; seq < 6; seq += 1) b.register(seq, seq * 100, seq * 100);
    b.accept(0, 1, 'a');
    b.accept(1, 101, 'b');
    b.fail(2, 201, { reason: '5xx' });
    b.fail(3, 301, { reason: '5xx' });
    b.accept(4, 401, 'c');
    b.accept(5, 501, 'd');
    b.buzz({ correlationId: 'run-0' }, 50);
    b.buzz({ correlationId: 'run-4' }, 450);
    expect(b.window(100, 500)).toEqual({ sent: 4, accepted: 2, failed: 2, completed: 1, lost: 1 });
    expect(b.completedBetween(0, 100)).toBe(1);
  });

  it('lists each order’s due time and first buzz from an origin, and knows its order ids', () => {
    const b = new OrderBook('run', 0);
    for (let seq = 0; seq < 3; seq += 1) b.register(seq, 1000 + seq * 100, 1000 + seq * 100);
    b.accept(0, 1010, 'a');
    b.fail(1, 1110, { reason: '5xx' });
    b.accept(2, 1210, 'c');
    b.buzz({ correlationId: 'run-0' }, 1060);
    b.buzz({ correlationId: 'run-0' }, 1900);
    expect(b.outcomes(1000)).toEqual([
      { dueMs: 0, accepted: true, buzzedMs: 60 },
      { dueMs: 100, accepted: false, buzzedMs: null },
      { dueMs: 200, accepted: true, buzzedMs: null },
    ]);
    expect([b.knowsOrder('a'), b.knowsOrder('c'), b.knowsOrder('zz')]).toEqual([true, true, false]);
  });
});
