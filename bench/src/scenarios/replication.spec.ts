import { REPLICATION_SYSTEMS } from '../plan';
import { runOf } from '../testing/fixtures';
import type { ReplicationStep } from '../model';
import { bestOf, replicationFigures, roundOrder } from './replication';

const step = (system: string, rate: number, sustainable: boolean): ReplicationStep => ({
  system,
  rate,
  sustainable,
  why: sustainable ? 'all buzzed' : 'buzz p99 too high',
  sent: rate,
  failed: 0,
  lost: 0,
  completedPerSec: rate,
  clientP99Ms: 4,
  buzzP99Ms: sustainable ? 80 : 900,
});

describe('roundOrder', () => {
  it('rotates the systems each round, so that none always runs first', () => {
    const systems = ['a', 'b', 'c'];
    expect([0, 1, 2, 3].map((round) => roundOrder(systems, round).join(''))).toEqual([
      'abc',
      'bca',
      'cab',
      'abc',
    ]);
    expect(roundOrder([], 2)).toEqual([]);
  });
});

describe('bestOf', () => {
  it('takes the highest sustainable step of the system and the lowest failing rate above it', () => {
    const steps = [
      step('quorum', 250, true),
      step('quorum', 500, true),
      step('quorum', 1000, false),
      step('quorum', 750, false),
      step('single', 1000, true),
    ];
    const { best, firstUnsustainable } = bestOf(steps, 'quorum');
    expect(best).toMatchObject({ rate: 500, buzzP99Ms: 80, limitNotReached: false });
    expect(firstUnsustainable).toBe(750);
    expect(bestOf(steps, 'single')).toMatchObject({
      best: { rate: 1000, limitNotReached: true },
      firstUnsustainable: null,
    });
    expect(bestOf([step('x', 250, false)], 'x')).toEqual({ best: null, firstUnsustainable: 250 });
  });
});

describe('replicationFigures', () => {
  it('pools every round’s orders, sums the counts and keeps each round’s p99', () => {
    const system = REPLICATION_SYSTEMS[1];
    // Round 1 buzzed at 1..100 ms, round 2 at 101..200 ms: pooled, the median is ~100 ms.
    const rounds = [0, 100].map((offset, i) => ({
      run: runOf('rmq', { label: `r${i + 1}` }),
      client: [1, 2, 3],
      buzz: Array.from({ length: 100 }, (_, k) => offset + k + 1),
    }));
    const figures = replicationFigures(system, 100, rounds, [step(system.name, 500, true)]);
    expect(figures).toMatchObject({
      name: 'cluster quorum',
      replicas: 3,
      rounds: 2,
      sent: 200,
      lost: 0,
      clientP99ByRound: [4, 4],
      best: { rate: 500 },
    });
    expect(figures.buzzLatency.count).toBe(200);
    expect(figures.buzzLatency.p50).toBeGreaterThanOrEqual(99);
    expect(figures.buzzLatency.p50).toBeLessThanOrEqual(101);
    expect(figures.buzzLatency.max).toBe(200);
    expect(figures.clientLatency.count).toBe(6);
  });
});
