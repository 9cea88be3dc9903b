import { topology } from '@app/messaging';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerCluster } from '../cluster';
import type { FaultKind, QueueType } from '../model';
import type { FaultsPlan, NodeLossPlan } from '../plan';
import type { FaultTimes } from './faults';

export const NODE_LOSS_NOT_APPLICABLE =
  'not applicable: the http shop never connects to RabbitMQ, so losing a broker node cannot touch it';

export const NODE_LOSS_NEEDS_NEST =
  'not applicable: the bare baseline declares its own queues and has no AMQP_QUEUE_TYPE or failover';

/** The run's label: the fault and the queue type it ran with. */
export function nodeLossLabel(label: string, queueType: QueueType): string {
  return `${label} ${queueType}`;
}

/** The faults plan as a node-loss run uses it: its own load, fault time and down time. */
export function nodeLossPlan(plan: FaultsPlan): FaultsPlan {
  const own: NodeLossPlan = plan.nodeLoss;
  return { ...plan, phases: own.phases, faultAtMs: own.faultAtMs, downMs: own.downMs };
}

/** The queue whose leader (quorum) or home node (classic) the fault takes away: barista's. */
export function victimQueue(namespace: string): string {
  return topology(namespace).queue('barista');
}

/**
 * Takes `node` away (`stop_app`, or kill -9 of its VM), waits `downMs`, and starts it again,
 * waiting until its broker runs and takes connections. The start is in a `finally`: whatever
 * happens meanwhile (an error, Ctrl-C), no node is left down by the bench.
 */
export async function takeNodeAway(
  cluster: Pick<
    BrokerCluster,
    'stopApp' | 'startApp' | 'killNode' | 'startNode' | 'runningNodes' | 'nodes'
  >,
  node: string,
  kind: FaultKind,
  plan: Pick<NodeLossPlan, 'downMs' | 'upTimeoutMs'>,
  signal: AbortSignal,
  mark: (what: string) => number,
  times: FaultTimes,
): Promise<void> {
  const kill = kind === 'broker-node-kill';
  times.injected = mark(kill ? `${node} killed (kill -9)` : `${node} stopping (stop_app)`);
  try {
    await (kill ? cluster.killNode(node) : cluster.stopApp(node));
    times.down = mark(kill ? `${node} exited` : `${node} stopped`);
    await sleep(plan.downMs, undefined, { signal }).catch(() => undefined);
  } finally {
    times.restarted = mark(kill ? `${node} booting again` : `${node} starting (start_app)`);
    await (kill ? cluster.startNode(node) : cluster.startApp(node));
    await waitRunning(cluster, node, plan.upTimeoutMs);
    times.healthy = mark(`${node} running again`);
  }
}

/** Polls until the node's broker runs again; rejects after `timeoutMs`. */
export async function waitRunning(
  cluster: Pick<BrokerCluster, 'runningNodes'>,
  node: string,
  timeoutMs: number,
  intervalMs = 250,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let running: string[] = [];
  while (performance.now() < deadline) {
    running = await cluster.runningNodes().catch(() => []);
    if (running.includes(node)) return;
    await sleep(intervalMs);
  }
  throw new Error(
    `${node} did not run again within ${timeoutMs} ms (running: ${running.join(', ') || 'none'})`,
  );
}
