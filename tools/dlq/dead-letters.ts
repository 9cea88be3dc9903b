import { DeadLetterHeaders, topology } from '@app/messaging';
import type { Channel, ChannelModel, GetMessage, Message, Options } from 'amqplib';

/** One dead letter as `list` shows it. */
export interface DeadLetterView {
  readonly id: string | null;
  readonly routingKey: string;
  /** The queue it failed on, where a replay sends it. */
  readonly queue: string | null;
  readonly attempts: number | null;
  readonly deadLetteredAt: string | null;
  readonly reason: string;
  readonly error: string | null;
  readonly correlationId: string | null;
}

export interface ReplayOutcome {
  readonly id: string;
  readonly replayed: boolean;
  /** Where it went, or why it could not. */
  readonly detail: string;
}

/** Headers that describe a past failure: a replay starts the message afresh without them. */
const FAILURE_HEADERS = new Set<string>([
  DeadLetterHeaders.Reason,
  DeadLetterHeaders.DeadLetteredAt,
  DeadLetterHeaders.Error,
  DeadLetterHeaders.Attempts,
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
]);

type Headers = Record<string, unknown>;

const text = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;

/** The broker's own record of the first dead-lettering (a message rejected or expired). */
function firstDeath(headers: Headers): Headers | undefined {
  const deaths = headers['x-death'];
  return Array.isArray(deaths) && typeof deaths[0] === 'object' && deaths[0] !== null
    ? (deaths[0] as Headers)
    : undefined;
}

function timestamp(value: unknown): string | null {
  const seconds =
    typeof value === 'object' && value !== null ? (value as { value?: unknown }).value : value;
  return typeof seconds === 'number' ? new Date(seconds * 1000).toISOString() : null;
}

/**
 * Reads a dead letter: our consumers' headers (x-original-*, x-dead-letter-reason, x-attempts),
 * or, for a message the broker dead-lettered itself, its `x-death` record.
 */
export function describeDeadLetter(message: Message): DeadLetterView {
  const headers: Headers = message.properties.headers ?? {};
  const death = firstDeath(headers);
  const deathKeys = death?.['routing-keys'];
  const attempts = Number(headers[DeadLetterHeaders.Attempts]);
  return {
    id: text(message.properties.messageId),
    routingKey:
      text(headers[DeadLetterHeaders.RoutingKey]) ??
      (Array.isArray(deathKeys) ? text(deathKeys[0]) : null) ??
      message.fields.routingKey,
    queue: text(headers[DeadLetterHeaders.Queue]) ?? text(death?.queue),
    attempts: Number.isInteger(attempts) && attempts >= 0 ? attempts : null,
    deadLetteredAt: text(headers[DeadLetterHeaders.DeadLetteredAt]) ?? timestamp(death?.time),
    reason:
      text(headers[DeadLetterHeaders.Reason]) ??
      (death ? `dead-lettered by the broker: ${String(death.reason)}` : '(no reason given)'),
    error: text(headers[DeadLetterHeaders.Error]),
    correlationId: text(message.properties.correlationId),
  };
}

/**
 * The copy a replay publishes: to the queue the letter failed on, through the default exchange
 * (so only that consumer gets it again, not every subscriber of the event), with the event's
 * routing key in `x-original-routing-key` as on a retry, and without the failure's headers: its
 * attempt count starts again from zero.
 */
export function replayCopy(
  message: Message,
  now = new Date(),
): { queue: string; options: Options.Publish } | { problem: string } {
  const letter = describeDeadLetter(message);
  if (!letter.queue) return { problem: 'it does not say which queue it failed on' };
  const headers: Headers = {};
  for (const [name, value] of Object.entries(message.properties.headers ?? {})) {
    if (!FAILURE_HEADERS.has(name)) headers[name] = value;
  }
  const death = firstDeath(message.properties.headers ?? {});
  headers[DeadLetterHeaders.Queue] = letter.queue;
  headers[DeadLetterHeaders.RoutingKey] = letter.routingKey;
  headers[DeadLetterHeaders.Exchange] ??= text(death?.exchange) ?? '';
  headers['x-replayed-at'] = now.toISOString();
  const { properties } = message;
  return {
    queue: letter.queue,
    options: {
      persistent: true,
      mandatory: true,
      contentType: properties.contentType as string | undefined,
      messageId: properties.messageId as string | undefined,
      correlationId: properties.correlationId as string | undefined,
      type: properties.type as string | undefined,
      timestamp: properties.timestamp as number | undefined,
      headers,
    },
  };
}

/** The messages in a queue, taken without ack; the caller settles each (or closes to requeue). */
async function takeAll(channel: Channel, queue: string, limit: number): Promise<GetMessage[]> {
  const taken: GetMessage[] = [];
  while (taken.length < limit) {
    const message = await channel.get(queue, { noAck: false });
    if (message === false) break;
    taken.push(message);
  }
  return taken;
}

/**
 * `<ns>.dead-letters`. Reading never loses a letter: each is taken without ack and, unless
 * replayed or purged, given back with a requeue (the broker puts it back in its place); if this
 * process dies meanwhile, closing the channel gives them back just the same.
 */
export class DeadLetterQueue {
  readonly name: string;

  constructor(
    private readonly connection: ChannelModel,
    readonly namespace: string,
  ) {
    this.name = topology(namespace).deadLetterQueue;
  }

  /** Throws a one-line error when the queue does not exist (the shop never ran here). */
  async count(): Promise<number> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    try {
      return (await channel.checkQueue(this.name)).messageCount;
    } catch {
      throw new Error(
        `there is no queue ${this.name} on this broker (has the shop run with AMQP_NAMESPACE=${this.namespace}?)`,
      );
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async list(limit: number): Promise<{ total: number; letters: DeadLetterView[] }> {
    const total = await this.count();
    const channel = await this.connection.createChannel();
    try {
      const taken = await takeAll(channel, this.name, limit);
      channel.nackAll(true);
      return { total, letters: taken.map(describeDeadLetter) };
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async replay(ids: readonly string[]): Promise<ReplayOutcome[]> {
    const total = await this.count();
    const channel = await this.connection.createConfirmChannel();
    const returned = new Set<string>();
    channel.on('return', (message: Message) => {
      returned.add(String(message.properties.messageId));
    });
    try {
      const taken = await takeAll(channel, this.name, total);
      const outcomes: ReplayOutcome[] = [];
      for (const id of ids) {
        const letter = taken.find((message) => message.properties.messageId === id);
        if (!letter) {
          outcomes.push({ id, replayed: false, detail: `no dead letter has message id ${id}` });
          continue;
        }
        taken.splice(taken.indexOf(letter), 1);
        outcomes.push(await this.send(channel, letter, returned));
      }
      channel.nackAll(true);
      return outcomes;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async purge(): Promise<number> {
    await this.count();
    const channel = await this.connection.createChannel();
    try {
      return (await channel.purgeQueue(this.name)).messageCount;
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** Publishes the replay copy, and acks the dead letter only once the broker took the copy. */
  private async send(
    channel: Channel & { waitForConfirms(): Promise<void> },
    letter: GetMessage,
    returned: Set<string>,
  ): Promise<ReplayOutcome> {
    const id = String(letter.properties.messageId);
    const copy = replayCopy(letter);
    if ('problem' in copy) {
      channel.nack(letter, false, true);
      return { id, replayed: false, detail: `cannot replay it: ${copy.problem}` };
    }
    channel.publish('', copy.queue, letter.content, copy.options);
    await channel.waitForConfirms();
    if (returned.has(id)) {
      channel.nack(letter, false, true);
      return { id, replayed: false, detail: `queue ${copy.queue} does not exist; kept it` };
    }
    channel.ack(letter);
    return {
      id,
      replayed: true,
      detail: `to ${copy.queue} (${describeDeadLetter(letter).routingKey})`,
    };
  }
}
