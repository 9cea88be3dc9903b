import type { BrokerControl } from '../broker-control';
import { RECOVERY_CRITERIA } from '../plan';
import type { OrderOutcome } from '../stats';
import {
  BROKER_NOT_APPLICABLE,
  killAndRestartBarista,
  recoveryOf,
  restartBroker,
  runFaults,
  type FaultTimes,
} from './faults';
import type { Shop } from './measure';
import { testContext } from '../testing/fixtures';

/** Orders due every 20 ms (50/s) over `loadMs`, buzzed `latency(dueMs)` ms later (null: failed). */
function orders(loadMs: number, latency: (dueMs: number) => number | null): OrderOutcome[] {
  const list: OrderOutcome[] = [];
  for (let dueMs = 0; dueMs < loadMs; dueMs += 20) {
    const ms = latency(dueMs);
    list.push({ dueMs, accepted: ms !== null, buzzedMs: ms === null ? null : dueMs + ms });
  }
  return list;
}

describe('recoveryOf', () => {
  const at = { faultAtMs: 2000, healthyAtMs: 4000, loadEndMs: 10000 };

  it('sync: orders refused while barista is down, normal again once it is back', () => {
    const outcomes = orders(10000, (due) => (due >= 2000 && due < 4000 ? null : 60));
    const recovery = recoveryOf(outcomes, at, RECOVERY_CRITERIA);
    // Slots 0 and 1 (2-4 s) failed, slot 2 (4-5 s) onwards is normal.
    expect(recovery.recoverSeconds).toBe(2);
    expect(recovery.normalShareBySecond.slice(0, 3)).toEqual([0, 0, 1]);
    expect(recovery.normalShareBySecond).toHaveLength(8);
    expect(recovery.backlogDrainedSeconds).toBeNull();
    expect(recovery.normalBuzzMs).toBe(250);
    expect(recovery.normalBuzzBasis).toMatch(/floor/);
  });

  it('async: the backlog delays the orders due after the restart too, until it is drained', () => {
    // Orders due from 2 s wait for barista (back at 4 s), which then brews twice as fast as they
    // arrive: the order due at d is brewed at 4 s + (d - 2 s) / 2, the backlog is gone at 6 s.
    const outcomes = orders(10000, (due) => {
      if (due < 2000) return 60;
      return Math.max(4000 + (due - 2000) / 2, due) - due + 60;
    });
    const recovery = recoveryOf(outcomes, at, RECOVERY_CRITERIA);
    // Slot 3 (5-6 s) is still slowed by the backlog, slot 4 (6-7 s) is not.
    expect(recovery.normalShareBySecond.slice(0, 5)).toEqual([0, 0, 0, 0.38, 1]);
    expect(recovery.recoverSeconds).toBe(4);
    // The last order due while barista was down (3.98 s) is buzzed at 5.05 s.
    expect(recovery.backlogDrainedSeconds).toBe(3.1);
  });

  it('is null when the shop never recovered within the load', () => {
    const outcomes = orders(10000, (due) => (due < 2000 ? 60 : null));
    expect(recoveryOf(outcomes, at, RECOVERY_CRITERIA).recoverSeconds).toBeNull();
  });

  it('tolerates a few slow orders: 90 % of a second is enough', () => {
    let n = 0;
    const outcomes = orders(10000, () => (n++ % 20 === 0 ? 5000 : 60));
    expect(recoveryOf(outcomes, at, RECOVERY_CRITERIA).recoverSeconds).toBe(0);
  });

  it('scales the bound from the orders buzzed before the fault, not those caught by it', () => {
    // Normal latency 200 ms; the orders due just before the fault were caught by it (3 s).
    const outcomes = orders(10000, (due) => (due >= 1800 && due < 2000 ? 3000 : 200));
    const recovery = recoveryOf(outcomes, at, RECOVERY_CRITERIA);
    expect(recovery.normalBuzzMs).toBe(600);
    expect(recovery.normalBuzzBasis).toMatch(/3 × buzz p99 before the fault \(200(\.\d)? ms\)/);
  });
});

function recorder() {
  const calls: string[] = [];
  const mark = (what: string) => {
    calls.push(`mark ${what}`);
    return calls.length;
  };
  return { calls, mark };
}

function fakeBroker(calls: string[], fail: Partial<Record<'stop' | 'start', Error>> = {}) {
  const broker: BrokerControl = {
    description: 'fake',
    stop: () => {
      calls.push('stop');
      return fail.stop ? Promise.reject(fail.stop) : Promise.resolve();
    },
    start: () => {
      calls.push('start');
      return fail.start ? Promise.reject(fail.start) : Promise.resolve();
    },
    waitUp: (ms: number) => {
      calls.push(`waitUp ${ms}`);
      return Promise.resolve();
    },
  };
  return broker;
}

const plan = { downMs: 5, brokerUpTimeoutMs: 1234 };

describe('restartBroker', () => {
  it('stops, pauses, starts and waits until the broker is up, marking each step', async () => {
    const { calls, mark } = recorder();
    const times: FaultTimes = {};
    await restartBroker(fakeBroker(calls), plan, new AbortController().signal, mark, times);
    expect(calls).toEqual([
      'mark broker stopping (rabbitmqctl stop_app)',
      'stop',
      'mark broker stopped',
      'mark broker starting (rabbitmqctl start_app)',
      'start',
      'waitUp 1234',
      'mark broker up (ping and AMQP)',
    ]);
    expect(times).toEqual({ injected: 1, down: 3, restarted: 4, healthy: 7 });
  });

  it('starts the broker again when interrupted while it is down', async () => {
    const { calls, mark } = recorder();
    const abort = new AbortController();
    abort.abort();
    await restartBroker(fakeBroker(calls), { ...plan, downMs: 60000 }, abort.signal, mark, {});
    expect(calls).toContain('start');
    expect(calls.at(-1)).toBe('mark broker up (ping and AMQP)');
  });

  it('starts the broker again when stopping it failed halfway, and still reports the failure', async () => {
    const { calls, mark } = recorder();
    const broken = fakeBroker(calls, { stop: new Error('stop_app timed out') });
    await expect(
      restartBroker(broken, plan, new AbortController().signal, mark, {}),
    ).rejects.toThrow('stop_app timed out');
    expect(calls).toEqual(expect.arrayContaining(['stop', 'start', 'waitUp 1234']));
  });

  it('fails the run when the broker cannot be started again', async () => {
    const { calls, mark } = recorder();
    const broken = fakeBroker(calls, { start: new Error('start_app failed') });
    const times: FaultTimes = {};
    await expect(
      restartBroker(broken, plan, new AbortController().signal, mark, times),
    ).rejects.toThrow('start_app failed');
    expect(times.healthy).toBeUndefined();
  });
});

describe('killAndRestartBarista', () => {
  const target = (calls: string[]) => ({
    killBarista: (instance: number) => {
      calls.push(`kill ${instance}`);
      return Promise.resolve('signal SIGKILL');
    },
    startBarista: (instance: number) => {
      calls.push(`start ${instance}`);
      return Promise.resolve();
    },
  });

  it('kills barista#1 with SIGKILL, pauses, starts it again and waits until it is healthy', async () => {
    const { calls, mark } = recorder();
    const times: FaultTimes = {};
    await killAndRestartBarista(target(calls), plan, new AbortController().signal, mark, times);
    expect(calls).toEqual([
      'mark barista killed (SIGKILL)',
      'kill 1',
      'mark barista exited (signal SIGKILL)',
      'mark barista started again',
      'start 1',
      'mark barista healthy',
    ]);
    expect(times.exit).toBe('signal SIGKILL');
  });

  it('leaves it down when the run is interrupted meanwhile (the shop is being stopped)', async () => {
    const { calls, mark } = recorder();
    const abort = new AbortController();
    abort.abort();
    await killAndRestartBarista(target(calls), plan, abort.signal, mark, {});
    expect(calls).not.toContain('start 1');
  });
});

describe('runFaults', () => {
  const contextFor = (argv: string[], broker: BrokerControl) =>
    testContext(argv, { brokerControl: broker });

  it.each(['http', 'http+defences'] as const)(
    'marks the broker restart not applicable under %s, without touching the broker or the shop',
    async (variant) => {
      const calls: string[] = [];
      const shop = {
        variant,
        use: () => Promise.reject(new Error('the shop must not be used')),
      } as unknown as Shop;
      const result = await runFaults(
        contextFor(['--faults', 'broker'], fakeBroker(calls)),
        'http',
        shop,
      );
      expect(result).toMatchObject({ scenario: 'faults', transport: 'http', variant, runs: [] });
      expect(result.skipped).toEqual([{ label: 'broker-restart', reason: BROKER_NOT_APPLICABLE }]);
      expect(calls).toEqual([]);
    },
  );
});
