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
import { connect } from 'node:net';
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
/** A loaded machine (CI, other test runs) can take minutes to boot a node. */
const BOOT_TIMEOUT_MS = 300_000;
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
 * diverging, the setting RabbitMQ recommends for three nodes. The other nodes join the first at
 * their first boot (classic peer discovery, as rabbitmqctl join_cluster would, without three
 * CLI round trips that each take seconds on a loaded machine); later boots rejoin from their data.
 */
export function nodeConfig(node: ClusterNode): string {
  const [seed] = clusterNodes;
  const join =
    node.name === seed.name
      ? []
      : [
          'cluster_formation.peer_discovery_backend = classic_config',
          `cluster_formation.classic_config.nodes.1 = ${seed.name}`,
        ];
  return [
    `listeners.tcp.local = 127.0.0.1:${node.amqpPort}`,
    'cluster_partition_handling = pause_minority',
    ...join,
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

/** Something accepts TCP connections on 127.0.0.1:`port` (within a second). */
function listening(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    const done = (open: boolean) => {
      socket.destroy();
      answer(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

// Probes by port, not by CLI: each rabbitmqctl call boots an Erlang VM, seconds on a busy machine.
/** The node's Erlang VM runs (its distribution port is open; the rabbit app may be stopped). */
function nodeUp(node: ClusterNode): Promise<boolean> {
  return listening(node.distPort);
}

/** The rabbit app runs on the node: its AMQP listener takes connections (stop_app closes it). */
function appRunning(node: ClusterNode): Promise<boolean> {
  return listening(node.amqpPort);
}

/** The nodes whose rabbit app runs now, in order. */
export async function runningNodes(): Promise<string[]> {
  const running = await Promise.all(clusterNodes.map((node) => appRunning(node)));
  return clusterNodes.filter((_, i) => running[i]).map((node) => node.name);
}

/** Waits until `check` holds, or fails with `what` after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((settle) => setTimeout(settle, 250));
  }
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
  await until(
    `${node.name} to take connections on ${node.amqpPort}`,
    async () => {
      const pid = vmPid(baseDir, node);
      if (pid !== undefined && !alive(pid)) {
        throw new Error(`${node.name} stopped while booting: see ${env.RABBITMQ_LOG_BASE}`);
      }
      return pid !== undefined && (await appRunning(node));
    },
    BOOT_TIMEOUT_MS,
  );
}

/**
 * The pid of the node's VM from the file it wrote at boot, if that process is still this node's
 * (a stale file's pid may since belong to anything else, which must not be signalled).
 */
function vmPid(baseDir: string, node: ClusterNode): number | undefined {
  try {
    const pid = Number(readFileSync(nodeEnv(baseDir, node).RABBITMQ_PID_FILE, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return environ.includes(`RABBITMQ_NODENAME=${node.name}`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Signal 0 tests the process without touching it: it throws once the process is gone. */
function alive(pid: number): boolean {
  try {
    return process.kill(pid, 0);
  } catch {
    return false;
  }
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
        else if (!(await appRunning(node))) await startApp(node.name);
      }),
    );
  } else {
    const baseDir = defaultBaseDir();
    rmSync(baseDir, { recursive: true, force: true });
    writeFileSync(STATE_FILE, JSON.stringify({ baseDir }));
    const [seed, ...joiners] = clusterNodes;
    await bootNode(baseDir, seed);
    // They join the seed as they boot (see nodeConfig).
    await Promise.all(joiners.map((node) => bootNode(baseDir, node)));
  }
  if (!(await healthy())) {
    throw new Error(
      `the cluster did not come up healthy: running: ${(await runningNodes()).join(', ') || 'none'}`,
    );
  }
  return clusterInfo();
}

/**
 * Stops every node's VM: SIGTERM (Erlang's init:stop, an orderly shutdown), then SIGKILL for any
 * still there after 30 s. Not `rabbitmqctl stop`, which waits minutes for a node that is still
 * booting and waiting for its peers' tables. The data stays for a look until the next fresh start.
 */
export async function stopCluster(): Promise<void> {
  const baseDir = currentBaseDir();
  const pids = clusterNodes.flatMap((node) => vmPid(baseDir, node) ?? []);
  for (const pid of pids) process.kill(pid, 'SIGTERM');
  const gone = await Promise.all(pids.map((pid) => exited(pid, 30_000)));
  for (const pid of pids.filter((_, i) => !gone[i])) process.kill(pid, 'SIGKILL');
  await Promise.all(pids.map((pid) => exited(pid, 10_000)));
  const up = await Promise.all(clusterNodes.map((node) => nodeUp(node)));
  const left = clusterNodes.filter((_, i) => up[i]).map((node) => node.name);
  if (left.length > 0) throw new Error(`still running after stop: ${left.join(', ')}`);
}

/** `rabbitmqctl stop_app`: the node's VM stays, its broker stops (as in a controlled stop). */
export async function stopApp(node: string): Promise<void> {
  await ctl(node, ['stop_app']);
}

/** `rabbitmqctl start_app`, and waits until the node takes connections again. */
export async function startApp(node: string): Promise<void> {
  await ctl(node, ['start_app'], BOOT_TIMEOUT_MS);
  const found = clusterNode(node);
  await until(`${found.name} to take connections`, () => appRunning(found), BOOT_TIMEOUT_MS);
}

/** The OS pid of the node's Erlang VM. */
export async function nodePid(node: string): Promise<number> {
  const found = clusterNode(node);
  const known = vmPid(currentBaseDir(), found);
  if (known !== undefined) return known;
  // No pid file of its own here: ask the node.
  const pid = Number((await ctl(node, ['-q', 'eval', 'list_to_integer(os:getpid()).'])).trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for ${found.name}`);
  return pid;
}

/** kill -9 of the node's VM: a crash, nothing flushed, no goodbye to the other nodes. */
export async function killNode(node: string): Promise<void> {
  const pid = await nodePid(node);
  process.kill(pid, 'SIGKILL');
  await exited(pid, 30_000);
}

/** Whether the process `pid` is gone within `ms`. */
async function exited(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((settle) => setTimeout(settle, 100));
  }
  return true;
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
