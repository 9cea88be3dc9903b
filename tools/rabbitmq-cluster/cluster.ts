// A 3-node RabbitMQ cluster on this machine (shop1@localhost..shop3@localhost, AMQP 5681-5683),
// for the node-loss tests and the benchmark's broker-node-loss fault. The machine's own broker
// (rabbit@localhost on 5672) is never touched: each node has its own name, ports, config file,
// data and log folders under tmp/rabbitmq-cluster, and no plugins (the machine's management and
// prometheus plugins would want its ports). The nodes and the CLI run as the calling user and share
// its ~/.erlang.cookie. Only one such cluster can run per machine (fixed names and ports): start
// reuses a running one, and by-hand runs go under `flock /tmp/shop-rabbit-cluster.lock`.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const NODE_COUNT = 3;
const FIRST_AMQP_PORT = 5681;
/** Erlang distribution: RabbitMQ's own default is the AMQP port + 20000. */
const DIST_PORT_OFFSET = 20000;
const HOST = 'localhost';
/** Which running cluster's data the node commands use (it may come from another worktree). */
const STATE_FILE = '/tmp/shop-rabbit-cluster.json';
const BOOT_TIMEOUT_S = 180;
// Debian's /usr/sbin scripts re-run the tools as the rabbitmq user, whose cookie and folders are
// the machine broker's; the scripts behind them run as the caller.
const SCRIPTS_DIR = ['/usr/lib/rabbitmq/bin', '/usr/lib/rabbitmq/sbin'].find((dir) =>
  existsSync(join(dir, 'rabbitmq-server')),
);

export interface ClusterNode {
  /** shop1@localhost */
  readonly name: string;
  /** shop1 */
  readonly short: string;
  readonly amqpPort: number;
  readonly distPort: number;
  readonly url: string;
}

export interface ClusterInfo {
  readonly nodes: string[];
  readonly urls: string[];
  /** The AMQP_URL for the apps: every node's URL, comma separated. */
  readonly amqpUrl: string;
}

export const clusterNodes: readonly ClusterNode[] = Array.from({ length: NODE_COUNT }, (_, i) => {
  const short = `shop${i + 1}`;
  const amqpPort = FIRST_AMQP_PORT + i;
  return {
    name: `${short}@${HOST}`,
    short,
    amqpPort,
    distPort: amqpPort + DIST_PORT_OFFSET,
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
  };
});

export function clusterInfo(): ClusterInfo {
  const urls = clusterNodes.map((node) => node.url);
  return { nodes: clusterNodes.map((node) => node.name), urls, amqpUrl: urls.join(',') };
}

/** A node by its full name, short name (shop2) or number (2). */
export function clusterNode(node: string): ClusterNode {
  const found = clusterNodes.find(
    (one) => one.name === node || one.short === node || one.short === `shop${node}`,
  );
  if (!found) {
    throw new Error(
      `no cluster node ${JSON.stringify(node)}: one of ${clusterNodes.map((one) => one.name).join(', ')}`,
    );
  }
  return found;
}

/**
 * The node's rabbitmq.conf. The listener is pinned to loopback and its own port (the machine's
 * config pins 5672). pause_minority: a node cut off from the other two stops serving rather than
 * diverging, the setting RabbitMQ recommends for three nodes.
 */
export function nodeConfig(node: ClusterNode): string {
  return [
    `listeners.tcp.local = 127.0.0.1:${node.amqpPort}`,
    'cluster_partition_handling = pause_minority',
    'log.file.level = info',
    'log.console = false',
    '',
  ].join('\n');
}

/** The folder holding every node's data, logs and config: tmp/rabbitmq-cluster in the repo. */
export function defaultBaseDir(): string {
  return resolve(__dirname, '..', '..', 'tmp', 'rabbitmq-cluster');
}

export function nodeDir(baseDir: string, node: ClusterNode): string {
  return join(baseDir, node.short);
}

/** The environment rabbitmq-server needs to be this node and nothing of the machine's broker. */
export function nodeEnv(baseDir: string, node: ClusterNode): Record<string, string> {
  const dir = nodeDir(baseDir, node);
  return {
    RABBITMQ_NODENAME: node.name,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(node.amqpPort),
    RABBITMQ_DIST_PORT: String(node.distPort),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    // Both must exist as our own: the machine's would name its node and its advanced settings.
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, `${node.short}.pid`),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_ADDRESS: '127.0.0.1',
    ERL_CRASH_DUMP: join(dir, 'erl_crash.dump'),
  };
}

/** The files nodeEnv points at, by path. */
export function nodeFiles(baseDir: string, node: ClusterNode): Record<string, string> {
  const dir = nodeDir(baseDir, node);
  return {
    [join(dir, 'rabbitmq.conf')]: nodeConfig(node),
    [join(dir, 'rabbitmq-env.conf')]: '# shop cluster node: everything is in the environment\n',
    [join(dir, 'advanced.config')]: '[].\n',
    [join(dir, 'enabled_plugins')]: '[].\n',
  };
}

function tool(name: 'rabbitmq-server' | 'rabbitmqctl' | 'rabbitmq-diagnostics'): string {
  return SCRIPTS_DIR ? join(SCRIPTS_DIR, name) : name;
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr?.trim();
  const message = stderr || (error instanceof Error ? error.message : String(error));
  return message.split('\n').find((line) => line.trim().length > 0) ?? message;
}

/** `rabbitmqctl -n <node> <args>`; rejects with the tool's first line of complaint. */
export async function ctl(node: string, args: readonly string[], timeoutMs = 120_000) {
  try {
    const { stdout } = await run(tool('rabbitmqctl'), ['-n', clusterNode(node).name, ...args], {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    throw new Error(
      `rabbitmqctl -n ${clusterNode(node).name} ${args.join(' ')}: ${firstLine(error)}`,
    );
  }
}

async function succeeds(command: Promise<unknown>): Promise<boolean> {
  return command.then(
    () => true,
    () => false,
  );
}

/** The Erlang VM answers (the rabbit app may be stopped). */
async function nodeUp(node: ClusterNode): Promise<boolean> {
  return succeeds(ctl(node.name, ['-q', 'eval', 'ok.'], 30_000));
}

/** The rabbit app runs on the node: it takes AMQP connections. */
async function appRunning(node: ClusterNode): Promise<boolean> {
  return succeeds(
    run(tool('rabbitmq-diagnostics'), ['-n', node.name, '-q', 'check_running'], {
      timeout: 30_000,
    }),
  );
}

/** The nodes whose rabbit app runs now, in order. */
export async function runningNodes(): Promise<string[]> {
  const running = await Promise.all(clusterNodes.map((node) => appRunning(node)));
  return clusterNodes.filter((_, i) => running[i]).map((node) => node.name);
}

function ensureCookie(): void {
  // The nodes would each create one if none exists, racing; the CLI needs the same one.
  const cookie = join(homedir(), '.erlang.cookie');
  if (!existsSync(cookie)) {
    writeFileSync(cookie, randomBytes(15).toString('hex').toUpperCase(), { mode: 0o400 });
  }
}

function readState(): string | undefined {
  try {
    const state = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { baseDir?: unknown };
    return typeof state.baseDir === 'string' ? state.baseDir : undefined;
  } catch {
    return undefined;
  }
}

/** The running cluster's data folder (perhaps another worktree's), else this repo's. */
function currentBaseDir(): string {
  return readState() ?? defaultBaseDir();
}

function writeNodeFiles(baseDir: string, node: ClusterNode): void {
  mkdirSync(join(nodeDir(baseDir, node), 'log'), { recursive: true });
  for (const [path, text] of Object.entries(nodeFiles(baseDir, node))) writeFileSync(path, text);
}

/** Boots the node's VM and rabbit app detached, and waits until it takes connections. */
async function bootNode(baseDir: string, node: ClusterNode): Promise<void> {
  writeNodeFiles(baseDir, node);
  const env = nodeEnv(baseDir, node);
  rmSync(env.RABBITMQ_PID_FILE, { force: true });
  const out = openSync(join(nodeDir(baseDir, node), 'log', 'startup.log'), 'a');
  try {
    await new Promise<void>((done, fail) => {
      // A file, not a pipe, for its output: the detached VM inherits it and would hold a pipe open.
      const child = spawn(tool('rabbitmq-server'), ['-detached'], {
        cwd: nodeDir(baseDir, node),
        env: { ...process.env, ...env },
        stdio: ['ignore', out, out],
      });
      child.on('error', fail);
      child.on('exit', (code) =>
        code === 0
          ? done()
          : fail(new Error(`rabbitmq-server -detached (${node.name}) exit ${code}`)),
      );
    });
  } finally {
    closeSync(out);
  }
  await ctl(
    node.name,
    ['-q', 'wait', env.RABBITMQ_PID_FILE, '--timeout', String(BOOT_TIMEOUT_S)],
    (BOOT_TIMEOUT_S + 30) * 1000,
  );
}

/** Every node's app runs and all three are one cluster. */
async function healthy(): Promise<boolean> {
  if ((await runningNodes()).length !== NODE_COUNT) return false;
  try {
    const status = JSON.parse(
      await ctl(clusterNodes[0].name, ['-q', 'cluster_status', '--formatter', 'json']),
    ) as { running_nodes?: string[] };
    return clusterNodes.every((node) => status.running_nodes?.includes(node.name));
  } catch {
    return false;
  }
}

/**
 * Starts the cluster, or reuses it when it already runs healthy. Nodes found down while others
 * run are started again on their data; with none running, the cluster starts fresh (data wiped).
 */
export async function startCluster(): Promise<ClusterInfo> {
  if (await healthy()) return clusterInfo();
  ensureCookie();
  const up = await Promise.all(clusterNodes.map((node) => nodeUp(node)));
  if (up.some(Boolean)) {
    const baseDir = currentBaseDir();
    await Promise.all(
      clusterNodes.map(async (node, i) => {
        if (!up[i]) await bootNode(baseDir, node);
        else if (!(await appRunning(node))) await ctl(node.name, ['start_app']);
      }),
    );
  } else {
    const baseDir = defaultBaseDir();
    rmSync(baseDir, { recursive: true, force: true });
    writeFileSync(STATE_FILE, JSON.stringify({ baseDir }));
    const [seed, ...joiners] = clusterNodes;
    await bootNode(baseDir, seed);
    await Promise.all(
      joiners.map(async (node) => {
        await bootNode(baseDir, node);
        await ctl(node.name, ['stop_app']);
        await ctl(node.name, ['join_cluster', seed.name]);
        await ctl(node.name, ['start_app']);
      }),
    );
  }
  if (!(await healthy())) {
    throw new Error(
      `the cluster did not come up healthy: running: ${(await runningNodes()).join(', ') || 'none'}`,
    );
  }
  return clusterInfo();
}

/** Stops every node (its VM too); the data stays for a look until the next fresh start. */
export async function stopCluster(): Promise<void> {
  // The seed last: the last node down is the one the others would wait for at a restart.
  for (const node of [...clusterNodes].reverse()) {
    if (await nodeUp(node)) await ctl(node.name, ['stop']);
  }
}

/** `rabbitmqctl stop_app`: the node's VM stays, its broker stops (as in a controlled stop). */
export async function stopApp(node: string): Promise<void> {
  await ctl(node, ['stop_app']);
}

export async function startApp(node: string): Promise<void> {
  await ctl(node, ['start_app']);
  await ctl(node, ['-q', 'await_startup']);
}

/** The OS pid of the node's Erlang VM. */
export async function nodePid(node: string): Promise<number> {
  const pid = Number((await ctl(node, ['-q', 'eval', 'list_to_integer(os:getpid()).'])).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for ${clusterNode(node).name}`);
  return pid;
}

/** kill -9 of the node's VM: a crash, nothing flushed, no goodbye to the other nodes. */
export async function killNode(node: string): Promise<void> {
  const pid = await nodePid(node);
  process.kill(pid, 'SIGKILL');
  // Signal 0 probes: it throws once the VM is gone.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((settle) => setTimeout(settle, 100));
  }
}

/** Boots a node whose VM is down (after killNode) on its data: it rejoins the cluster. */
export async function startNode(node: string): Promise<void> {
  const found = clusterNode(node);
  if (await nodeUp(found)) {
    if (!(await appRunning(found))) await startApp(found.name);
    return;
  }
  ensureCookie();
  await bootNode(currentBaseDir(), found);
}

interface QueueRow {
  readonly name: string;
  readonly type?: string;
  readonly leader?: string;
}

/** An Erlang string expression for any text (no quoting to get wrong): its UTF-8 bytes. */
export function erlangBinary(text: string): string {
  return `list_to_binary([${[...Buffer.from(text, 'utf8')].join(',')}])`;
}

/** Runs on the first node whose broker answers. */
async function onAnyNode(args: readonly string[]): Promise<string> {
  let last: unknown = new Error('no cluster node is running');
  for (const node of clusterNodes) {
    try {
      return await ctl(node.name, args, 60_000);
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

/** The node leading a quorum queue, or hosting a classic one. */
export async function queueLeader(queue: string, vhost = '/'): Promise<string> {
  const rows = JSON.parse(
    await onAnyNode([
      '-q',
      'list_queues',
      '-p',
      vhost,
      'name',
      'type',
      'leader',
      '--formatter',
      'json',
    ]),
  ) as QueueRow[];
  const row = rows.find((one) => one.name === queue);
  if (!row) throw new Error(`no queue ${queue} in vhost ${vhost}`);
  if (row.type === 'quorum') {
    if (!row.leader) throw new Error(`quorum queue ${queue} has no leader now`);
    return row.leader;
  }
  // list_queues shows a classic queue's process id without its node's name.
  const resource = `rabbit_misc:r(${erlangBinary(vhost)}, queue, ${erlangBinary(queue)})`;
  const node = await onAnyNode([
    '-q',
    'eval',
    `{ok, Q} = rabbit_amqqueue:lookup(${resource}), atom_to_list(node(amqqueue:get_pid(Q))).`,
  ]);
  return node.trim().replace(/^"|"$/g, '');
}

export interface NodeStatus {
  readonly name: string;
  readonly url: string;
  /** down: no VM; stopped: VM up, broker stopped (stop_app); running: takes connections. */
  readonly state: 'down' | 'stopped' | 'running';
}

export async function clusterStatus(): Promise<NodeStatus[]> {
  return Promise.all(
    clusterNodes.map(async (node) => {
      const state = (await appRunning(node))
        ? 'running'
        : (await nodeUp(node))
          ? 'stopped'
          : 'down';
      return { name: node.name, url: node.url, state };
    }),
  );
}

/** For the CLI's `ctl`: the rabbitmqctl to run, with the node's name. */
export function ctlCommand(node: string, args: readonly string[]): [string, string[]] {
  return [tool('rabbitmqctl'), ['-n', clusterNode(node).name, ...args]];
}
