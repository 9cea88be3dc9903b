// The CLI behind cluster.sh: start|stop|status|url|ctl <node> ...|kill <node>|start-node <node>.
import { spawnSync } from 'node:child_process';
import {
  clusterInfo,
  clusterStatus,
  ctlCommand,
  killNode,
  startCluster,
  startNode,
  stopCluster,
} from './cluster';

const USAGE = `usage: tools/rabbitmq-cluster/cluster.sh <command>
  start               start the 3-node cluster (or reuse the running one); prints AMQP_URL
  stop                stop every node
  status              each node: running, stopped (stop_app) or down
  url                 the AMQP_URL of the cluster (comma list)
  ctl <node> ...      rabbitmqctl -n <node> ... (node: shop1, shop1@localhost or 1)
  kill <node>         kill -9 of the node's Erlang VM
  start-node <node>   boot a node that is down, on its data (it rejoins the cluster)
Run by hand under \`flock /tmp/shop-rabbit-cluster.lock\`: one cluster per machine, shared.`;

function write(line: string): void {
  process.stdout.write(`${line}\n`);
}

function nodeArgument(args: readonly string[]): string {
  if (!args[0]) throw new Error(USAGE);
  return args[0];
}

async function main(command: string | undefined, args: string[]): Promise<number> {
  switch (command) {
    case 'start':
      write((await startCluster()).amqpUrl);
      return 0;
    case 'stop':
      await stopCluster();
      return 0;
    case 'status':
      for (const node of await clusterStatus()) write(`${node.name}\t${node.state}\t${node.url}`);
      return 0;
    case 'url':
      write(clusterInfo().amqpUrl);
      return 0;
    case 'ctl': {
      const [tool, toolArgs] = ctlCommand(nodeArgument(args), args.slice(1));
      return spawnSync(tool, toolArgs, { stdio: 'inherit' }).status ?? 1;
    }
    case 'kill':
      await killNode(nodeArgument(args));
      return 0;
    case 'start-node':
      await startNode(nodeArgument(args));
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv[2], process.argv.slice(3)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
