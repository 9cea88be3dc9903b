import { setTimeout as sleep } from 'node:timers/promises';
import type { RatePhase } from './model';

/**
 * When each order is due, in milliseconds from the start of the load: evenly spaced at each
 * phase's rate. Open loop: the schedule is fixed up front and never waits for the system, so a
 * stalled system meets a growing queue of due orders instead of a politely waiting client.
 */
export function buildSchedule(phases: readonly RatePhase[]): Float64Array {
  const counts = phases.map((phase) => phaseCount(phase));
  const schedule = new Float64Array(counts.reduce((sum, n) => sum + n, 0));
  let index = 0;
  let phaseStart = 0;
  phases.forEach((phase, p) => {
    const interval = 1000 / phase.rate;
    for (let k = 0; k < counts[p]; k += 1) schedule[index++] = phaseStart + k * interval;
    phaseStart += phase.durationMs;
  });
  return schedule;
}

function phaseCount(phase: RatePhase): number {
  if (phase.durationMs <= 0 || phase.rate <= 0) return 0;
  // Tolerate float noise: 1000 ms at 100/s is exactly 100 orders, not 101.
  return Math.max(0, Math.ceil((phase.durationMs * phase.rate) / 1000 - 1e-9));
}

export function totalDurationMs(phases: readonly RatePhase[]): number {
  return phases.reduce((sum, phase) => sum + phase.durationMs, 0);
}

/** Index of the first order not yet due at `elapsedMs` (binary search: the schedule is sorted). */
export function dueUntil(schedule: Float64Array, from: number, elapsedMs: number): number {
  let lo = from;
  let hi = schedule.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (schedule[mid] <= elapsedMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface Clock {
  now(): number;
  /** Resolves after about `ms`. */
  wait(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  wait: (ms) => sleep(ms),
};

export interface OpenLoopOptions {
  readonly schedule: Float64Array;
  /** Absolute time (clock.now()) the schedule counts from. */
  readonly startAt: number;
  /** Fire one order; must not block. `scheduledAt` is absolute, for latency. */
  readonly send: (seq: number, scheduledAt: number) => void;
  readonly clock?: Clock;
  /** Most orders sent in one turn of the event loop, so answers can still be read meanwhile. */
  readonly maxPerTick?: number;
  readonly signal?: AbortSignal;
}

/**
 * Sends every order of the schedule when it falls due. If the process falls behind, every
 * overdue order is sent at once, each still carrying the time it was due, so latency measured from
 * `scheduledAt` includes the stall (no coordinated omission). Resolves when all were sent.
 */
export async function runOpenLoop(options: OpenLoopOptions): Promise<number> {
  const { schedule, startAt, send } = options;
  const clock = options.clock ?? realClock;
  const maxPerTick = options.maxPerTick ?? 2000;
  let next = 0;
  while (next < schedule.length) {
    if (options.signal?.aborted) break;
    const elapsed = clock.now() - startAt;
    const due = Math.min(dueUntil(schedule, next, elapsed), next + maxPerTick);
    for (; next < due; next += 1) send(next, startAt + schedule[next]);
    if (next >= schedule.length) break;
    const delay = schedule[next] - (clock.now() - startAt);
    // Sleep in whole milliseconds, never spin: on two cores shared with the shop, a busy-waiting
    // load generator would steal the CPU it measures. Sends are up to ~1 ms late; the latency,
    // counted from the schedule, includes that.
    await clock.wait(delay > 1 ? Math.floor(delay) : 1);
  }
  return next;
}
