import { HttpHeaders } from '@app/contracts';
import { activeTraceparent, type Forwarding, forwardSpanOptions, inSpan } from '@app/telemetry';
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
  const exchange = topology(place.namespace).deadLetterExchange;
  const to: Destination = {
    operation: 'dead_letter',
    destination: exchange,
    routingKey: origin.routingKey,
    event: origin.routingKey,
    attributes: {
      'shop.attempt': details.attempts ?? 0,
      'shop.dead_letter.reason': reason.slice(0, HEADER_LIMIT),
    },
  };
  await forward(channel, message, to, {
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
  const delayMs = retryDelayMs(place.retry, attempt);
  const to: Destination = {
    operation: 'retry',
    destination: retryQueue,
    routingKey: retryQueue,
    event: origin.routingKey,
    attributes: {
      'shop.attempt': attempt,
      'shop.retry.retries': place.retry.retries,
      'shop.retry.delay_ms': delayMs,
    },
  };
  await forward(
    channel,
    message,
    to,
    {
      [DeadLetterHeaders.Error]: error.slice(0, HEADER_LIMIT),
      [DeadLetterHeaders.Attempts]: attempt,
      [DeadLetterHeaders.Queue]: place.queue,
      [DeadLetterHeaders.Exchange]: origin.exchange,
      [DeadLetterHeaders.RoutingKey]: origin.routingKey,
    },
    { expiration: String(delayMs) },
  );
}

/** Where {@link forward} sends the copy: the default exchange (`''`) for a retry queue. */
type Destination = Omit<Forwarding, 'message'>;

/**
 * Publishes a copy of `message` with extra headers, waits for the broker's confirm, acks it;
 * inside a span of its own (see forwardSpanOptions), whose context the copy carries on.
 */
async function forward(
  channel: Channel | ConfirmChannel,
  message: ConsumeMessage,
  to: Destination,
  headers: Record<string, unknown>,
  extra: Options.Publish = {},
): Promise<void> {
  const span = forwardSpanOptions({ ...to, message });
  const name = `${to.operation} ${to.destination}`;
  await inSpan(name, span, () => publishCopy(channel, message, to, headers, extra));
  channel.ack(message);
}

async function publishCopy(
  channel: Channel | ConfirmChannel,
  message: ConsumeMessage,
  to: Destination,
  extraHeaders: Record<string, unknown>,
  extra: Options.Publish,
): Promise<void> {
  const { properties, content } = message;
  const exchange = to.operation === 'retry' ? '' : to.destination;
  // With tracing on, the next attempt (or a replay) continues from this span.
  const traceparent = activeTraceparent();
  const headers = {
    ...((properties.headers ?? {}) as Record<string, unknown>),
    ...extraHeaders,
    ...(traceparent ? { [HttpHeaders.Traceparent]: traceparent } : {}),
  };
  await new Promise<void>((resolve, reject) => {
    channel.publish(
      exchange,
      to.routingKey,
      content,
      {
        contentType: properties.contentType as string | undefined,
        messageId: properties.messageId as string | undefined,
        correlationId: properties.correlationId as string | undefined,
        type: properties.type as string | undefined,
        timestamp: properties.timestamp as number | undefined,
        persistent: true,
        headers,
        ...extra,
      },
      (error: unknown) => (error ? reject(asError(error)) : resolve()),
    );
    // A plain channel has no confirms: the callback never fires, so settle at once.
    if (!('waitForConfirms' in channel)) resolve();
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
