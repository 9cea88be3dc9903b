import { EventTypes } from '@app/contracts';
import {
  deleteNamespace as deleteEntities,
  envelopeIn,
  orderIdOf,
  SHOP_CONTEXTS,
  topology,
} from '@app/messaging';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueSample } from './stats';

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

/** The nodes of an AMQP_URL: one URL, or a comma list of a cluster's nodes. */
export function brokerUrls(url: string): string[] {
  const urls = url
    .split(',')
    .map((one) => one.trim())
    .filter((one) => one !== '');
  return urls.length > 0 ? urls : [url];
}

/**
 * Connects with a deadline, so an unreachable or silent broker cannot hang the bench. A comma list
 * (a cluster) is tried node by node, in its order, until one takes the connection.
 */
export async function connectBroker(url: string, timeoutMs = 5000): Promise<ChannelModel> {
  let failure: unknown;
  for (const one of brokerUrls(url)) {
    try {
      const connection = await withTimeout(
        connect(one, { timeout: timeoutMs }),
        timeoutMs,
        'connecting to RabbitMQ',
        (late) => void late.close().catch(() => undefined),
      );
      connection.on('error', () => undefined);
      return connection;
    } catch (error) {
      failure = error;
    }
  }
  throw failure instanceof Error ? failure : new Error(String(failure));
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
  /** Set when the broker closed the connection (a broker restart): the next poll reconnects. */
  private connectionLost = false;

  private constructor(
    private connection: ChannelModel,
    private readonly url: string,
    private readonly queues: Record<string, string>,
    private readonly intervalMs: number,
  ) {
    this.watch(connection);
  }

  static async open(url: string, namespace: string, intervalMs = 200): Promise<QueueMonitor> {
    const connection = await connectBroker(url);
    const names = topology(namespace);
    const queues: Record<string, string> = {
      ...Object.fromEntries(SHOP_CONTEXTS.map((context) => [context, names.queue(context)])),
      'dead-letters': names.deadLetterQueue,
    };
    return new QueueMonitor(connection, url, queues, intervalMs);
  }

  private watch(connection: ChannelModel): void {
    connection.on('close', () => {
      if (this.connection === connection) this.connectionLost = true;
    });
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
    if (this.connectionLost) {
      const connection = await connectBroker(this.url, 1000);
      this.connection = connection;
      this.connectionLost = false;
      this.watch(connection);
    }
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

/** The order id and message id of a `coffee.brewed` message as the apps publish it (a Nest packet). */
export function coffeeBrewedOf(
  content: Buffer,
  messageId: unknown,
): { orderId?: string; messageId?: string } {
  const envelope = envelopeIn(content);
  if (!envelope) return {};
  const orderId = orderIdOf(envelope);
  const id = typeof messageId === 'string' && messageId !== '' ? messageId : envelope.messageId;
  return {
    ...(orderId !== undefined ? { orderId } : {}),
    ...(typeof id === 'string' ? { messageId: id } : {}),
  };
}

/** Orders brewed more than once (distinct `CoffeeBrewed` message ids), among the orders `mine` knows. */
export function countRebrews(
  brews: ReadonlyMap<string, ReadonlySet<string>>,
  mine: (orderId: string) => boolean = () => true,
): { brewedTwice: number; extraBrews: number } {
  let brewedTwice = 0;
  let extraBrews = 0;
  for (const [orderId, messageIds] of brews) {
    if (messageIds.size > 1 && mine(orderId)) {
      brewedTwice += 1;
      extraBrews += messageIds.size - 1;
    }
  }
  return { brewedTwice, extraBrews };
}

/** The queue of the bench's own that a {@link BrewTap} in `namespace` reads. */
export function brewTapQueue(namespace: string): string {
  return `${namespace}.bench-brew-tap`;
}

/**
 * Watches one namespace's `coffee.brewed` events on a queue of the bench's own, to count how often
 * each order was brewed: the pager buzzes once per order whatever happens, so an order brewed a
 * second time (its `OrderPlaced` redelivered after barista was killed) shows only here. The queue
 * is durable so that it keeps collecting across a broker restart (the tap reconnects by itself),
 * expires on its own if the bench dies, and is deleted by `close`.
 */
export class BrewTap {
  private readonly brews = new Map<string, Set<string>>();
  private connection: ChannelModel | undefined;
  private readonly wake = new AbortController();
  private loop: Promise<void> | undefined;
  private stopping = false;
  readonly queue: string;

  private constructor(
    private readonly url: string,
    private readonly namespace: string,
  ) {
    this.queue = brewTapQueue(namespace);
  }

  static async open(url: string, namespace: string): Promise<BrewTap> {
    const tap = new BrewTap(url, namespace);
    await tap.attach();
    tap.loop = tap.keepAttached();
    return tap;
  }

  private async attach(): Promise<void> {
    const connection = await connectBroker(this.url, 2000);
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.assertQueue(this.queue, { durable: true, expires: 10 * 60 * 1000 });
      await channel.bindQueue(
        this.queue,
        topology(this.namespace).exchange,
        EventTypes.CoffeeBrewed,
      );
      await channel.consume(
        this.queue,
        (message) => {
          if (message) this.record(message.content, message.properties.messageId);
        },
        { noAck: true },
      );
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
    connection.on('close', () => {
      if (this.connection === connection) this.connection = undefined;
    });
    this.connection = connection;
  }

  private async keepAttached(): Promise<void> {
    while (!this.stopping) {
      await sleep(500, undefined, { signal: this.wake.signal }).catch(() => undefined);
      if (!this.stopping && !this.connection) await this.attach().catch(() => undefined);
    }
  }

  private record(content: Buffer, messageId: unknown): void {
    const brewed = coffeeBrewedOf(content, messageId);
    if (brewed.orderId === undefined) return;
    const ids = this.brews.get(brewed.orderId) ?? new Set<string>();
    ids.add(brewed.messageId ?? `unnamed-${ids.size}`);
    this.brews.set(brewed.orderId, ids);
  }

  /** `CoffeeBrewed` message ids seen per order id so far. */
  seen(): ReadonlyMap<string, ReadonlySet<string>> {
    return this.brews;
  }

  async close(): Promise<void> {
    this.stopping = true;
    this.wake.abort();
    await this.loop;
    const connection = this.connection ?? (await connectBroker(this.url).catch(() => undefined));
    this.connection = undefined;
    if (!connection) return;
    try {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await withTimeout(channel.deleteQueue(this.queue), 3000, `delete queue ${this.queue}`);
    } catch {
      // It expires by itself ten minutes after the bench stopped using it.
    }
    await connection.close().catch(() => undefined);
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
      for (const context of SHOP_CONTEXTS) {
        try {
          const channel = await connection.createChannel();
          channel.on('error', () => undefined);
          const queue = topology(namespace).queue(context);
          depths[context] = (
            await withTimeout(channel.checkQueue(queue), 2000, 'checkQueue')
          ).messageCount;
          await channel.close().catch(() => undefined);
        } catch {
          depths[context] = 0;
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
 * Deletes the namespace's queues and exchanges as the tests do ({@link deleteEntities}), on a
 * connection of its own and with a deadline. Returns what went wrong, for the run's errors.
 */
export async function deleteNamespace(url: string, namespace: string): Promise<string[]> {
  const what = `deleting ${namespace}.*`;
  let connection: ChannelModel;
  try {
    connection = await connectBroker(url);
  } catch (error) {
    return [`${what}: ${firstLine(error)}`];
  }
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    await withTimeout(deleteEntities(channel, namespace), 10_000, what);
    await channel.close().catch(() => undefined);
    return [];
  } catch (error) {
    return [`${what}: ${firstLine(error)}`];
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function firstLine(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}
