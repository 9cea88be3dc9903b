import type { ConsumeMessage } from 'amqplib';
import { DeadLetterHeaders } from './topology';

/**
 * How a consumer retries a message its handler failed on: up to `retries` more attempts, the
 * n-th after `baseDelayMs × 2^(n-1)` (1 s, 2 s, 4 s, ... by default), then the dead-letter queue.
 */
export interface RetryPolicy {
  /** Retries after the first attempt (RETRY_ATTEMPTS); 0 dead-letters at the first failure. */
  readonly retries: number;
  /** The delay before the first retry (RETRY_BASE_DELAY_MS); each next one doubles it. */
  readonly baseDelayMs: number;
}

export const NO_RETRIES: RetryPolicy = { retries: 0, baseDelayMs: 0 };

/** How long a message waits before retry number `level` (1-based). */
export function retryDelayMs(policy: RetryPolicy, level: number): number {
  return policy.baseDelayMs * 2 ** (level - 1);
}

/** Failed attempts recorded on `message` (0 for a first delivery, or a replayed dead letter). */
export function attemptsOf(message: ConsumeMessage): number {
  const value: unknown = message.properties.headers?.[DeadLetterHeaders.Attempts];
  const attempts = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(attempts) && attempts > 0 ? attempts : 0;
}

/** Where a message was first published, whether or not it came back through a retry queue. */
export interface Origin {
  readonly exchange: string;
  readonly routingKey: string;
}

/**
 * A message back from a retry queue (or replayed from the dead letters) is delivered through the
 * default exchange (`''`) under its queue's name; the event's own exchange and routing key travel
 * in its headers. Anything else was routed by the event's own routing key.
 */
export function originOf(message: ConsumeMessage): Origin {
  const { exchange, routingKey } = message.fields;
  const headers = message.properties.headers ?? {};
  const originalKey: unknown = headers[DeadLetterHeaders.RoutingKey];
  if (exchange === '' && typeof originalKey === 'string') {
    const originalExchange: unknown = headers[DeadLetterHeaders.Exchange];
    return {
      exchange: typeof originalExchange === 'string' ? originalExchange : '',
      routingKey: originalKey,
    };
  }
  return { exchange, routingKey };
}
