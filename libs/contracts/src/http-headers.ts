/**
 * HTTP headers that carry an envelope's ids between the apps under TRANSPORT=http. The same
 * names are used as AMQP message headers under TRANSPORT=rmq.
 */
export const HttpHeaders = {
  CorrelationId: 'x-correlation-id',
  /** W3C Trace Context: the caller's trace and span. */
  Traceparent: 'traceparent',
  MessageId: 'x-message-id',
  /**
   * The order id, on every call order makes to barista (`POST /brews`) and pager
   * (`POST /buzzes`): a repeat with the same key (a retry) never brews or buzzes twice.
   */
  IdempotencyKey: 'idempotency-key',
} as const;
