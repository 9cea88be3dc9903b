import type { BrokerControl } from '../broker-control';
import type { ClusterProvider } from '../cluster';
import type { BenchPlan } from '../plan';
import type { Progress } from '../progress';

/** What every scenario needs from the run: the plan, where to write logs, how to reach the broker. */
export interface RunContext {
  readonly plan: BenchPlan;
  readonly cwd: string;
  readonly logDir: string;
  /** Where the apps keep their database files: one file per app process, new for every run. */
  readonly dataDir: string;
  /** Where app processes write CPU profiles (--cpu-prof), or undefined. */
  readonly profileDir?: string;
  readonly amqpUrl: string;
  /** Short unique id of this bench run, part of every namespace and correlation id. */
  readonly runId: string;
  readonly progress: Progress;
  /** Namespaces created so far, so a signal handler can delete them. */
  readonly namespaces: Set<string>;
  /** PostgreSQL databases created so far (--store postgres, scale-out, store-cost), likewise. */
  readonly databases: Set<string>;
  /** Set when the user interrupted the run: scenarios stop as soon as they can. */
  readonly abort: AbortSignal;
  /** Stops and starts the broker for the faults scenario (default: the local rabbitmqctl). */
  readonly brokerControl?: BrokerControl;
  /** The local 3-node RabbitMQ cluster, started on first use (node-loss faults, replication). */
  readonly cluster?: Pick<ClusterProvider, 'get'>;
}
