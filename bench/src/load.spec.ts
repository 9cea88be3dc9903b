import { buildSchedule, dueUntil, runOpenLoop, totalDurationMs, type Clock } from './load';
import { OrderBook } from './stats';

/** A clock the test moves by hand; `wait` advances it, optionally with an extra stall. */
function fakeClock(
  stalls: Map<number, number> = new Map(),
): Clock & { time: number; waits: number } {
  const clock = {
    time: 1000,
    waits: 0,
    now: () => clock.time,
    wait: (ms: number) => {
      clock.waits += 1;
      clock.time += Math.max(ms, 0.25) + (stalls.get(clock.waits) ?? 0);
      return Promise.resolve();
    },
  };
  return clock;
}

describe('buildSchedule', () => {
  it('spaces orders evenly at the rate, starting at 0', () => {
    const schedule = buildSchedule([{ durationMs: 1000, rate: 4 }]);
    expect(Array.from(schedule)).toEqual([0, 250, 500, 750]);
  });

  it('gives exactly rate × duration orders despite float noise', () => {
    expect(buildSchedule([{ durationMs: 1000, rate: 100 }])).toHaveLength(100);
    expect(buildSchedule([{ durationMs: 3000, rate: 3 }])).toHaveLength(9);
    expect(buildSchedule([{ durationMs: 20000, rate: 100 }])).toHaveLength(2000);
    expect(buildSchedule([{ durationMs: 1500, rate: 1 }])).toHaveLength(2);
  });

  it('chains phases: each starts where the previous one ended, at its own rate', () => {
    const schedule = Array.from(
      buildSchedule([
        { durationMs: 1000, rate: 2 },
        { durationMs: 500, rate: 10 },
        { durationMs: 1000, rate: 2 },
      ]),
    );
    expect(schedule).toEqual([0, 500, 1000, 1100, 1200, 1300, 1400, 1500, 2000]);
    expect(
      totalDurationMs([
        { durationMs: 1000, rate: 2 },
        { durationMs: 500, rate: 10 },
      ]),
    ).toBe(1500);
  });

  it('is sorted, which dueUntil relies on', () => {
    const schedule = buildSchedule([
      { durationMs: 700, rate: 33 },
      { durationMs: 300, rate: 1000 },
    ]);
    for (let i = 1; i < schedule.length; i += 1)
      expect(schedule[i]).toBeGreaterThanOrEqual(schedule[i - 1]);
  });
});

describe('dueUntil', () => {
  const schedule = Float64Array.from([0, 10, 20, 30]);
  it.each([
    [-1, 0],
    [0, 1],
    [9.9, 1],
    [10, 2],
    [25, 3],
    [1000, 4],
  ])('at %p ms, orders before index %p are due', (elapsed, index) => {
    expect(dueUntil(schedule, 0, elapsed)).toBe(index);
  });

  it('never goes back before from', () => {
    expect(dueUntil(schedule, 3, 0)).toBe(3);
  });
});

describe('runOpenLoop', () => {
  it('sends every order once, in order, no earlier than it is due', async () => {
    const clock = fakeClock();
    const schedule = buildSchedule([{ durationMs: 100, rate: 100 }]);
    const sent: { seq: number; scheduledAt: number; at: number }[] = [];
    const count = await runOpenLoop({
      schedule,
      startAt: clock.time,
      clock,
      send: (seq, scheduledAt) => sent.push({ seq, scheduledAt, at: clock.time }),
    });
    expect(count).toBe(10);
    expect(sent.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    sent.forEach((s, i) => {
      expect(s.scheduledAt).toBe(1000 + i * 10);
      expect(s.at).toBeGreaterThanOrEqual(s.scheduledAt);
      expect(s.at - s.scheduledAt).toBeLessThan(2);
    });
  });

  it('after a stall sends every overdue order at once, each keeping the time it was due', async () => {
    // The third wait stalls for 45 ms, as a blocked event loop or a slow system would.
    const clock = fakeClock(new Map([[3, 45]]));
    const schedule = buildSchedule([{ durationMs: 100, rate: 100 }]);
    const sent: { seq: number; scheduledAt: number; at: number }[] = [];
    await runOpenLoop({
      schedule,
      startAt: clock.time,
      clock,
      send: (seq, scheduledAt) => sent.push({ seq, scheduledAt, at: clock.time }),
    });
    expect(sent).toHaveLength(10);
    const burst = sent.filter((s) => s.at - s.scheduledAt > 5);
    expect(burst.length).toBeGreaterThanOrEqual(4);
    expect(new Set(burst.map((s) => s.at)).size).toBe(1);
    // Scheduled times are untouched by the stall: still exactly 10 ms apart.
    expect(sent.map((s) => s.scheduledAt - 1000)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('measures latency from the scheduled time, so the stall shows up in the latency', async () => {
    const clock = fakeClock(new Map([[2, 100]]));
    const schedule = buildSchedule([{ durationMs: 50, rate: 100 }]);
    const book = new OrderBook('t', clock.time);
    await runOpenLoop({
      schedule,
      startAt: clock.time,
      clock,
      send: (seq, scheduledAt) => {
        book.register(seq, scheduledAt, clock.time);
        // The system answers 1 ms after the order was actually sent.
        book.accept(seq, clock.time + 1, `order-${seq}`);
      },
    });
    const summary = book.summary();
    expect(summary.counts.sent).toBe(5);
    // The orders caught in the 100 ms stall waited up to ~100 ms although the system took 1 ms.
    expect(summary.clientLatency.max).toBeGreaterThan(90);
    expect(summary.clientLatency.p50).toBeGreaterThan(50);
    expect(summary.sendLag.max).toBeGreaterThan(89);
  });

  it('stops early when aborted', async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    const schedule = buildSchedule([{ durationMs: 1000, rate: 100 }]);
    let sent = 0;
    const count = await runOpenLoop({
      schedule,
      startAt: clock.time,
      clock,
      signal: controller.signal,
      send: () => {
        sent += 1;
        if (sent === 5) controller.abort();
      },
    });
    expect(count).toBe(5);
  });

  it('sends at most maxPerTick orders per turn of the loop', async () => {
    const clock = fakeClock(new Map([[1, 1000]]));
    const schedule = buildSchedule([{ durationMs: 1000, rate: 100 }]);
    const turns: number[] = [];
    await runOpenLoop({
      schedule,
      startAt: clock.time,
      clock,
      maxPerTick: 10,
      send: () => turns.push(clock.waits),
    });
    const perTurn = new Map<number, number>();
    for (const turn of turns) perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(10);
    expect(turns).toHaveLength(100);
  });
});
