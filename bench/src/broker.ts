import { connect, type Channel, type ChannelModel } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueSample } from './stats';

export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** RabbitMQ did not answer: main prints the message (one line) and exits non-zero. */
export class BrokerUnavailable extends Error {
  public override readonly name = 'BrokerUnavailable';
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: string,
  onLate?: (value: T) => void,
): Promise<T> {
  let settled = false;
  const timeout = new AbortController();
  try {
    return await Promise.race([
      promise.then((value) => {
        if (settled) onLate?.(value);
        return value;
      }),
      sleep(ms, undefined, { signal: timeout.signal }).then(() => {
        throw new Error(`${what} timed out after ${ms} ms`);
      }),
    ]);
  } finally {
    settled = true;
    timeout.abort();
  }
}

/** Connects with a deadline, so an unreachable or silent broker cannot hang the bench. */
export async function connectBroker(url: string, timeoutMs = 5000): Promise<ChannelModel> {
  const connection = await withTimeout(
    connect(url, { timeout: timeoutMs }),
    timeoutMs,
    'connecting to RabbitMQ',
    (late) => void late.close().catch(() => undefined),
  );
  connection.on('error', () => undefined);
  return connection;
}

/** Checks that RabbitMQ answers; returns its version. Throws {@link BrokerUnavailable}. */
export async function probeBroker(url: string, timeoutMs = 5000): Promise<string | null> {
  let connection: ChannelModel;
  try {
    connection = await connectBroker(url, timeoutMs);
  } catch (error) {
    const reason =
      error instanceof Error ? error.message.split('\n')[0] || error.name : String(error);
    throw new BrokerUnavailable(
      `RabbitMQ is not reachable at ${redact(url)} (${reason}); start it with \`rabbitmq-server -detached\` (or run the bench with --transport http)`,
    );
  }
  const version = connection.connection.serverProperties.version;
  await connection.close().catch(() => undefined);
  return typeof version === 'string' ? version : null;
}

/** The most retry queues a context declares (RETRY_ATTEMPTS' upper bound in the apps' config). */
const MAX_RETRY_QUEUES = 10;

/**
 * The exchanges and queues the apps declare under one namespace, the retry queues
 * `<ns>.<context>.retry.<n>` included (deleting one that was never declared is harmless).
 */
export function namespaceTopology(namespace: string): { exchanges: string[]; queues: string[] } {
  const contexts = ['order', 'barista', 'pager'];
  const retryQueues = contexts.flatMap((context) =>
    Array.from({ length: MAX_RETRY_QUEUES }, (_, i) => `${namespace}.${context}.retry.${i + 1}`),
  );
  return {
    exchanges: [`${namespace}.events`, `${namespace}.dlx`],
    queues: [...contexts, 'dead-letters'].map((name) => `${namespace}.${name}`).concat(retryQueues),
  };
}

/**
 * Polls the depth of the namespace's queues on its own connection (the management plugin is not
 * needed: `checkQueue` returns messageCount, the ready messages). A queue that does not exist
 * yet closes the channel; a fresh one is opened on the next poll.
 */
export class QueueMonitor {
  private channel: Channel | undefined;
  private readonly peaks = new Map<string, number>();
  private readonly samplesByQueue = new Map<string, QueueSample[]>();
  private readonly wake = new AbortController();
  private loop: Promise<void> | undefined;
  private stopping = false;

  private constructor(
    private readonly connection: ChannelModel,
    private readonly queues: Record<string, string>,
    private readonly intervalMs: number,
  ) {}

  static async open(url: string, namespace: string, intervalMs = 200): Promise<QueueMonitor> {
    const connection = await connectBroker(url);
    const queues = Object.fromEntries(
      ['barista', 'order', 'pager', 'dead-letters'].map((name) => [name, `${namespace}.${name}`]),
    );
    return new QueueMonitor(connection, queues, intervalMs);
  }

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      await this.poll();
      await sleep(this.intervalMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
    }
  }

  private async poll(): Promise<void> {
    for (const [name, queue] of Object.entries(this.queues)) {
      try {
        this.channel ??= await this.openChannel();
        const { messageCount } = await withTimeout(
          this.channel.checkQueue(queue),
          2000,
          'checkQueue',
        );
        const at = performance.now();
        this.peaks.set(name, Math.max(this.peaks.get(name) ?? 0, messageCount));
        const samples = this.samplesByQueue.get(name) ?? [];
        samples.push({ at, depth: messageCount });
        this.samplesByQueue.set(name, samples);
      } catch {
        // Not declared yet (404 closes the channel) or the broker hiccuped: retry next poll.
        const channel = this.channel;
        this.channel = undefined;
        await channel?.close().catch(() => undefined);
      }
    }
  }

  private async openChannel(): Promise<Channel> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    channel.on('close', () => {
      if (this.channel === channel) this.channel = undefined;
    });
    return channel;
  }

  peak(): Record<string, number> {
    return Object.fromEntries(this.peaks);
  }

  samples(name: string): QueueSample[] {
    return this.samplesByQueue.get(name) ?? [];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    await this.loop;
    await this.connection.close().catch(() => undefined);
  }
}

/**
 * Waits until the namespace's work queues are empty (what a previous run left behind is done), at
 * most `maxMs`. Returns the depths last seen; missing queues count as empty.
 */
export async function waitForEmptyQueues(
  url: string,
  namespace: string,
  maxMs: number,
): Promise<Record<string, number>> {
  const connection = await connectBroker(url);
  const depths: Record<string, number> = {};
  const deadline = performance.now() + maxMs;
  try {
    for (;;) {
      for (const name of ['barista', 'order', 'pager']) {
        try {
          const channel = await connection.createChannel();
          channel.on('error', () => undefined);
          depths[name] = (
            await withTimeout(channel.checkQueue(`${namespace}.${name}`), 2000, 'checkQueue')
          ).messageCount;
          await channel.close().catch(() => undefined);
        } catch {
          depths[name] = 0;
        }
      }
      if (Object.values(depths).every((depth) => depth === 0) || performance.now() >= deadline)
        return depths;
      await sleep(100);
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/**
 * Deletes the namespace's queues and exchanges (each on its own channel: a failed operation
 * closes the channel it ran on). Returns what could not be deleted.
 */
export async function deleteNamespace(url: string, namespace: string): Promise<string[]> {
  const problems: string[] = [];
  let connection: ChannelModel;
  try {
    connection = await connectBroker(url);
  } catch (error) {
    return [
      `could not connect to delete ${namespace}.*: ${error instanceof Error ? error.message : String(error)}`,
    ];
  }
  const { exchanges, queues } = namespaceTopology(namespace);
  const run = async (what: string, operation: (channel: Channel) => Promise<unknown>) => {
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await withTimeout(operation(channel), 3000, what);
      await channel.close().catch(() => undefined);
    } catch (error) {
      problems.push(
        `${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
  };
  for (const queue of queues)
    await run(`delete queue ${queue}`, (channel) => channel.deleteQueue(queue));
  for (const exchange of exchanges) {
    await run(`delete exchange ${exchange}`, (channel) => channel.deleteExchange(exchange));
  }
  await connection.close().catch(() => undefined);
  return problems;
}
