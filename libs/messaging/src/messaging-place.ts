import type { RetryPolicy } from './retry-policy';

/** Where this app consumes: its namespace and queue (used to label dead letters). */
export const MESSAGING_PLACE = Symbol('MESSAGING_PLACE');

export interface MessagingPlace {
  readonly namespace: string;
  readonly queue: string;
  /** The consuming context (names the retry queues); without it, failures are not retried. */
  readonly context?: string;
  /** How handler failures are retried; without it, they are dead-lettered at once. */
  readonly retry?: RetryPolicy;
}
