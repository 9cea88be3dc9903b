import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BrokerConnection {
  readonly pid: string;
  readonly name: string;
}

/**
 * The broker's connections whose `connection_name` starts with `<namespace>/`: the apps of one
 * test run (the apps name them `<namespace>/<context>/<role> host:pid`). Other runs share the
 * broker: only these may be touched.
 */
export async function connectionsOf(namespace: string): Promise<BrokerConnection[]> {
  const { stdout } = await run('rabbitmqctl', [
    '-q',
    'list_connections',
    'pid',
    'client_properties',
  ]);
  const found: BrokerConnection[] = [];
  for (const line of stdout.split('\n')) {
    const [pid, properties = ''] = line.split('\t');
    const name = /\{"connection_name","([^"]*)"\}/.exec(properties)?.[1];
    if (pid && name?.startsWith(`${namespace}/`)) found.push({ pid, name });
  }
  return found;
}

/** Closes these connections from the broker's side, as a broker restart or a network cut would. */
export async function closeConnections(connections: readonly BrokerConnection[]): Promise<void> {
  await Promise.all(
    connections.map(({ pid }) =>
      run('rabbitmqctl', ['-q', 'close_connection', pid, 'e2e: connection cut on purpose']),
    ),
  );
}

/** The type (classic, quorum) of each of the namespace's queues, by name. */
export async function queueTypesOf(namespace: string): Promise<Map<string, string>> {
  const { stdout } = await run('rabbitmqctl', ['-q', 'list_queues', 'name', 'type']);
  const types = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [name, type] = line.split('\t');
    if (name?.startsWith(`${namespace}.`) && type) types.set(name, type.trim());
  }
  return types;
}
