import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as cluster from '../../tools/rabbitmq-cluster/cluster';
import { ClusterProvider, type ClusterDebt } from './cluster';

/** The local 3-node cluster of tools/rabbitmq-cluster (shop1..3@localhost, AMQP 5681-5683). */
export function localCluster(): ClusterProvider {
  return new ClusterProvider({
    startCluster: () => cluster.startCluster(),
    stopCluster: () => cluster.stopCluster(),
    stopApp: (node) => cluster.stopApp(node),
    startApp: (node) => cluster.startApp(node),
    killNode: (node) => cluster.killNode(node),
    startNode: (node) => cluster.startNode(node),
    queueLeader: (queue) => cluster.queueLeader(queue),
    runningNodes: () => cluster.runningNodes(),
  });
}

/**
 * Puts right what an abrupt exit left (synchronous, for `process.on('exit')`): a cluster this run
 * started is stopped whole; in one it found running, the nodes it took away are started again.
 */
export function settleClusterNow(debt: ClusterDebt, cwd: string): string[] {
  const script = join(cwd, 'tools', 'rabbitmq-cluster', 'cluster.sh');
  const commands: string[][] = debt.stopCluster
    ? [['stop']]
    : debt.nodes.map(({ node, killed }) =>
        killed ? ['start-node', node] : ['ctl', node, 'start_app'],
      );
  const failed: string[] = [];
  for (const args of commands) {
    try {
      execFileSync('bash', [script, ...args], { timeout: 180000, stdio: 'ignore' });
    } catch {
      failed.push(`tools/rabbitmq-cluster/cluster.sh ${args.join(' ')}`);
    }
  }
  return failed;
}
