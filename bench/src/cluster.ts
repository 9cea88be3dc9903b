/**
 * The local 3-node RabbitMQ cluster (tools/rabbitmq-cluster) as the node-loss faults and the
 * replication scenario use it: started once per bench run when a scenario first needs it, shared
 * by them, and stopped at the end if this run started it. Behind an interface so that the
 * scenarios' logic can be tested without a cluster.
 */

/** What tools/rabbitmq-cluster/cluster.ts exports, as far as the bench uses it. */
export interface ClusterApi {
  startCluster(): Promise<{ nodes: string[]; urls: string[]; amqpUrl: string }>;
  stopCluster(): Promise<void>;
  stopApp(node: string): Promise<void>;
  startApp(node: string): Promise<void>;
  killNode(node: string): Promise<void>;
  startNode(node: string): Promise<void>;
  /** The node leading a quorum queue, or hosting a classic one. */
  queueLeader(queue: string): Promise<string>;
  /** The nodes whose broker (rabbit app) runs now. */
  runningNodes(): Promise<string[]>;
}

/** A running cluster: its nodes, one AMQP URL per node, and the comma list the apps get. */
export interface BrokerCluster extends Omit<ClusterApi, 'startCluster' | 'stopCluster'> {
  readonly nodes: readonly string[];
  readonly urls: readonly string[];
  readonly amqpUrl: string;
}

/** The node's own AMQP URL. */
export function urlOf(cluster: Pick<BrokerCluster, 'nodes' | 'urls'>, node: string): string {
  const i = cluster.nodes.indexOf(node);
  if (i < 0) throw new Error(`${node} is not a node of the cluster (${cluster.nodes.join(', ')})`);
  return cluster.urls[i];
}

/**
 * The cluster's URLs as a comma list with `node` last: what the bench's own observers (queue
 * monitor, brew tap) connect to while `node` is taken away, so that they sit on a survivor and
 * their own queue does not live on the lost node.
 */
export function urlsAvoiding(cluster: Pick<BrokerCluster, 'nodes' | 'urls'>, node: string): string {
  const last = urlOf(cluster, node);
  return [...cluster.urls.filter((url) => url !== last), last].join(',');
}

/** What a run needs to put right if it ends abruptly (see {@link ClusterProvider.owed}). */
export interface ClusterDebt {
  /** Nodes stopped or killed by this run and not started again yet. */
  readonly nodes: { readonly node: string; readonly killed: boolean }[];
  /** The run started the cluster, so it stops it. */
  readonly stopCluster: boolean;
}

/**
 * Starts the cluster on first use (or reuses one that already runs healthy, and then leaves it
 * running at the end), and remembers which nodes the run has taken away, so that an interrupted
 * run can start them again.
 */
export class ClusterProvider {
  private started: Promise<BrokerCluster> | undefined;
  private startedByUs = false;
  private readonly away = new Map<string, boolean>();

  constructor(private readonly api: ClusterApi) {}

  /** The running cluster; the first call starts it (a minute or more on this machine). */
  get(): Promise<BrokerCluster> {
    this.started ??= this.start();
    return this.started;
  }

  get wasStarted(): boolean {
    return this.started !== undefined;
  }

  private async start(): Promise<BrokerCluster> {
    const before = await this.api.runningNodes().catch(() => [] as string[]);
    const info = await this.api.startCluster();
    this.startedByUs = before.length < info.nodes.length;
    const api = this.api;
    const away = this.away;
    return {
      nodes: info.nodes,
      urls: info.urls,
      amqpUrl: info.amqpUrl,
      async stopApp(node) {
        away.set(node, false);
        await api.stopApp(node);
      },
      async startApp(node) {
        await api.startApp(node);
        away.delete(node);
      },
      async killNode(node) {
        away.set(node, true);
        await api.killNode(node);
      },
      async startNode(node) {
        await api.startNode(node);
        away.delete(node);
      },
      queueLeader: (queue) => api.queueLeader(queue),
      runningNodes: () => api.runningNodes(),
    };
  }

  /** What an abrupt exit leaves to put right now. */
  owed(): ClusterDebt {
    return {
      nodes: [...this.away].map(([node, killed]) => ({ node, killed })),
      stopCluster: this.startedByUs,
    };
  }

  /**
   * At the end of the run: nodes still away are started again, and the cluster is stopped if
   * this run started it. Returns what went wrong, for the run's errors.
   */
  async close(): Promise<string[]> {
    if (!this.started) return [];
    const problems: string[] = [];
    const cluster = await this.started.catch(() => undefined);
    if (!cluster) return [];
    for (const [node, killed] of [...this.away]) {
      await (killed ? cluster.startNode(node) : cluster.startApp(node)).catch((error: unknown) =>
        problems.push(`starting ${node} again: ${firstLine(error)}`),
      );
    }
    if (this.startedByUs) {
      await this.api
        .stopCluster()
        .catch((error: unknown) => problems.push(`stopping the cluster: ${firstLine(error)}`));
      this.startedByUs = false;
    }
    return problems;
  }
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}
