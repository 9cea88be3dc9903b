import type { BrokerCluster } from '../cluster';
import { parseCli } from '../cli';
import { buildPlan } from '../plan';
import type { RunContext } from './context';
import { runFaults, type FaultTimes } from './faults';
import type { Shop } from './measure';
import { testContext } from '../testing/fixtures';
import {
  NODE_LOSS_NEEDS_NEST,
  NODE_LOSS_NOT_APPLICABLE,
  nodeLossPlan,
  takeNodeAway,
  victimQueue,
  waitRunning,
} from './node-loss';

const NODE = 'shop1@localhost';

/** A cluster whose node comes back after `bootPolls` polls of runningNodes once started. */
function fakeCluster(calls: string[], fail: { stop?: Error; start?: Error } = {}, bootPolls = 1) {
  let up = true;
  let polls = 0;
  const cluster: Pick<
    BrokerCluster,
    'stopApp' | 'startApp' | 'killNode' | 'startNode' | 'runningNodes' | 'nodes'
  > = {
    nodes: [NODE, 'shop2@localhost', 'shop3@localhost'],
    stopApp: (node) => {
      calls.push(`stopApp ${node}`);
      up = false;
      return fail.stop ? Promise.reject(fail.stop) : Promise.resolve();
    },
    killNode: (node) => {
      calls.push(`killNode ${node}`);
      up = false;
      return Promise.resolve();
    },
    startApp: (node) => {
      calls.push(`startApp ${node}`);
      if (fail.start) return Promise.reject(fail.start);
      up = true;
      return Promise.resolve();
    },
    startNode: (node) => {
      calls.push(`startNode ${node}`);
      up = true;
      return Promise.resolve();
    },
    runningNodes: () => {
      polls += 1;
      const running = up && polls >= bootPolls ? [NODE] : [];
      return Promise.resolve([...running, 'shop2@localhost', 'shop3@localhost']);
    },
  };
  return cluster;
}

function recorder() {
  const calls: string[] = [];
  const mark = (what: string) => {
    calls.push(`mark ${what}`);
    return calls.length;
  };
  return { calls, mark };
}

const plan = { downMs: 5, upTimeoutMs: 2000 };

describe('takeNodeAway', () => {
  it('stop_app: stops the node, pauses, starts it and waits until its broker runs', async () => {
    const { calls, mark } = recorder();
    const times: FaultTimes = {};
    const cluster = fakeCluster(calls);
    await takeNodeAway(
      cluster,
      NODE,
      'broker-node-loss',
      plan,
      new AbortController().signal,
      mark,
      times,
    );
    expect(calls).toEqual([
      `mark ${NODE} stopping (stop_app)`,
      `stopApp ${NODE}`,
      `mark ${NODE} stopped`,
      `mark ${NODE} starting (start_app)`,
      `startApp ${NODE}`,
      `mark ${NODE} running again`,
    ]);
    expect(times).toEqual({ injected: 1, down: 3, restarted: 4, healthy: 6 });
  });

  it('kill -9: kills the node and boots it again', async () => {
    const { calls, mark } = recorder();
    const cluster = fakeCluster(calls);
    await takeNodeAway(
      cluster,
      NODE,
      'broker-node-kill',
      plan,
      new AbortController().signal,
      mark,
      {},
    );
    expect(calls.filter((c) => !c.startsWith('mark'))).toEqual([
      `killNode ${NODE}`,
      `startNode ${NODE}`,
    ]);
    expect(calls[0]).toBe(`mark ${NODE} killed (kill -9)`);
  });

  it('starts the node again when interrupted, or when stopping it failed halfway', async () => {
    const { calls, mark } = recorder();
    const abort = new AbortController();
    abort.abort();
    await takeNodeAway(
      fakeCluster(calls),
      NODE,
      'broker-node-loss',
      { ...plan, downMs: 60000 },
      abort.signal,
      mark,
      {},
    );
    expect(calls).toContain(`startApp ${NODE}`);
    const broken = fakeCluster(calls, { stop: new Error('stop_app timed out') });
    await expect(
      takeNodeAway(broken, NODE, 'broker-node-loss', plan, new AbortController().signal, mark, {}),
    ).rejects.toThrow('stop_app timed out');
    expect(calls.filter((c) => c === `startApp ${NODE}`)).toHaveLength(2);
  });

  it('fails the run when the node does not run again in time', async () => {
    const { calls, mark } = recorder();
    const times: FaultTimes = {};
    const never = fakeCluster(calls, {}, Number.MAX_SAFE_INTEGER);
    await expect(
      takeNodeAway(
        never,
        NODE,
        'broker-node-loss',
        { downMs: 1, upTimeoutMs: 300 },
        new AbortController().signal,
        mark,
        times,
      ),
    ).rejects.toThrow(
      /did not run again within 300 ms \(running: shop2@localhost, shop3@localhost\)/,
    );
    expect(times.healthy).toBeUndefined();
  });
});

describe('waitRunning', () => {
  it('polls until the node runs', async () => {
    const calls: string[] = [];
    await expect(waitRunning(fakeCluster(calls, {}, 3), NODE, 2000, 1)).resolves.toBeUndefined();
  });
});

describe('nodeLossPlan', () => {
  it('gives the node faults a longer load, with the node back well before its end', () => {
    for (const argv of [[], ['--quick']]) {
      const faults = buildPlan(parseCli(argv)).faults;
      const own = nodeLossPlan(faults);
      const loadMs = own.phases[0].durationMs;
      expect(loadMs).toBeGreaterThanOrEqual(faults.phases[0].durationMs);
      expect(own.faultAtMs + own.downMs).toBeLessThan(loadMs / 2);
      expect(own.downMs).toBeGreaterThanOrEqual(3000);
      expect(faults.nodeLoss.queueTypes).toEqual(['quorum', 'classic']);
    }
  });

  it('takes away the node of barista’s queue in the shop’s namespace', () => {
    expect(victimQueue('bench-x-rmq-shop')).toBe('bench-x-rmq-shop.barista');
  });
});

describe('runFaults with the node faults', () => {
  const contextFor = (cluster?: RunContext['cluster']) =>
    testContext(['--faults', 'broker-node-loss,broker-node-kill'], cluster ? { cluster } : {});
  const shopOf = (variant: string, kind = 'nest') =>
    ({
      variant,
      kind,
      use: () => Promise.reject(new Error('the shop must not be used')),
    }) as unknown as Shop;

  it('marks them not applicable under http, without starting the cluster', async () => {
    const get = jest.fn();
    const result = await runFaults(contextFor({ get }), 'http', shopOf('http'));
    expect(result.runs).toEqual([]);
    expect(result.skipped).toEqual([
      { label: 'broker-node-loss', reason: NODE_LOSS_NOT_APPLICABLE },
      { label: 'broker-node-kill', reason: NODE_LOSS_NOT_APPLICABLE },
    ]);
    expect(get).not.toHaveBeenCalled();
  });

  it('says why when the bare baseline runs, or no cluster is there, or it would not start', async () => {
    const baseline = await runFaults(
      contextFor({ get: jest.fn() }),
      'rmq',
      shopOf('rmq', 'baseline'),
    );
    expect(baseline.skipped?.[0]).toEqual({
      label: 'broker-node-loss',
      reason: NODE_LOSS_NEEDS_NEST,
    });
    const none = await runFaults(contextFor(), 'rmq', shopOf('rmq'));
    expect(none.skipped?.[0].reason).toMatch(/no local RabbitMQ cluster/);
    const broken = {
      get: () => Promise.reject(new Error('shop2@localhost did not boot\nmore')),
    };
    const failed = await runFaults(contextFor(broken), 'rmq', shopOf('rmq'));
    expect(failed.runs).toEqual([]);
    expect(failed.skipped).toEqual([
      {
        label: 'broker-node-loss',
        reason: 'the 3-node cluster did not start: shop2@localhost did not boot',
      },
      {
        label: 'broker-node-kill',
        reason: 'the 3-node cluster did not start: shop2@localhost did not boot',
      },
    ]);
  });
});
