/** HTTP headers that carry an envelope's ids between the apps under TRANSPORT=http. */
export const HttpHeaders = {
  CorrelationId: 'x-correlation-id',
  MessageId: 'x-message-id',
} as const;
