import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { originOf, retryDelayMs, type RetryPolicy } from './retry-policy';
import { DeadLetterHeaders, topology } from './topology';

/** Where a consumer takes its messages from. */
export interface ConsumerPlace {
  readonly namespace: string;
  readonly queue: string;
}

/** What a dead letter says about its end, besides the reason. */
export interface FailureDetails {
  /** The last error's message (defaults to the reason). */
  readonly error?: string;
  /** Handler attempts made, all failed (0 for a message refused before any handler ran). */
  readonly attempts?: number;
}

const HEADER_LIMIT = 1000;

/**
 * Moves `message` to the dead-letter exchange with `reason` in its headers, then acks the
 * original. The copy is published on the consumer's own (confirm) channel and the original is
 * acked only once the broker has confirmed the copy, so a crash in between redelivers rather
 * than loses it.
 */
export async function deadLetter(
  channel: Channel | ConfirmChannel,
  message: ConsumeMessage,
  reason: string,
  place: ConsumerPlace,
  details: FailureDetails = {},
): Promise<void> {
  const origin = originOf(message);
  await forward(channel, message, topology(place.namespace).deadLetterExchange, origin.routingKey, {
    [DeadLetterHeaders.Reason]: reason.slice(0, HEADER_LIMIT),
    [DeadLetterHeaders.Error]: (details.error ?? reason).slice(0, HEADER_LIMIT),
    [DeadLetterHeaders.Attempts]: details.attempts ?? 0,
    [DeadLetterHeaders.Queue]: place.queue,
    [DeadLetterHeaders.Exchange]: origin.exchange,
    [DeadLetterHeaders.RoutingKey]: origin.routingKey,
    [DeadLetterHeaders.DeadLetteredAt]: new Date().toISOString(),
  });
}

/**
 * Parks `message` in the retry queue of `attempt` (its failed attempts so far, 1-based), then
 * acks the original. It waits there for its delay (a per-message TTL: every message in one
 * level's queue waits the same time, so none waits behind a longer one) and is then
 * dead-lettered by the broker back to the consumer's queue through the default exchange; its
 * event's exchange and routing key travel in headers ({@link originOf}).
 */
export async function retryLater(
  channel: Channel | ConfirmChannel,
  message: ConsumeMessage,
  place: ConsumerPlace & { readonly context: string; readonly retry: RetryPolicy },
  attempt: number,
  error: string,
): Promise<void> {
  const origin = originOf(message);
  const retryQueue = topology(place.namespace).retryQueue(place.context, attempt);
  await forward(
    channel,
    message,
    '',
    retryQueue,
    {
      [DeadLetterHeaders.Error]: error.slice(0, HEADER_LIMIT),
      [DeadLetterHeaders.Attempts]: attempt,
      [DeadLetterHeaders.Queue]: place.queue,
      [DeadLetterHeaders.Exchange]: origin.exchange,
      [DeadLetterHeaders.RoutingKey]: origin.routingKey,
    },
    { expiration: String(retryDelayMs(place.retry, attempt)) },
  );
}

/** Publishes a copy of `message` with extra headers, waits for the broker's confirm, acks it. */
async function forward(
  channel: Channel | ConfirmChannel,
  message: ConsumeMessage,
  exchange: string,
  routingKey: string,
  headers: Record<string, unknown>,
  extra: Options.Publish = {},
): Promise<void> {
  const { properties, content } = message;
  await new Promise<void>((resolve, reject) => {
    channel.publish(
      exchange,
      routingKey,
      content,
      {
        contentType: properties.contentType as string | undefined,
        messageId: properties.messageId as string | undefined,
        correlationId: properties.correlationId as string | undefined,
        type: properties.type as string | undefined,
        timestamp: properties.timestamp as number | undefined,
        persistent: true,
        headers: { ...(properties.headers ?? {}), ...headers },
        ...extra,
      },
      (error: unknown) => (error ? reject(asError(error)) : resolve()),
    );
    // A plain channel has no confirms: the callback never fires, so settle at once.
    if (!('waitForConfirms' in channel)) resolve();
  });
  channel.ack(message);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
