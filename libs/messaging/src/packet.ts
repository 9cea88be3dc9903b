/**
 * Nest's RabbitMQ wire format, as ClientRMQ publishes an event and ServerRMQ reads it: a JSON
 * object with the `pattern` (the shop uses the event type, which is also the routing key) and the
 * `data` (the event's envelope). The apps publish through Nest's serializer; these two functions
 * are for everything else that writes or reads the same bytes (the consumer's gate, the
 * benchmark, the tests), so that none of them spells the format out again.
 */
export interface Packet {
  readonly pattern: string;
  readonly data: object;
}

/** The bytes Nest's ClientRMQ publishes for `emit(pattern, data)`. */
export function encodePacket(pattern: string, data: unknown): Buffer {
  return Buffer.from(JSON.stringify({ pattern, data }));
}

/** A delivered message's packet, or why it is not one (the reason a dead letter carries). */
export function decodePacket(content: Buffer): { packet: Packet } | { problem: string } {
  let body: unknown;
  try {
    body = JSON.parse(content.toString('utf8'));
  } catch {
    return { problem: 'malformed: the body is not JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { problem: 'malformed: the body is not a JSON object' };
  }
  const { pattern, data } = body as { pattern?: unknown; data?: unknown };
  if (typeof pattern !== 'string')
    return { problem: 'malformed: the body has no string "pattern"' };
  if (typeof data !== 'object' || data === null)
    return { problem: 'malformed: the body has no object "data"' };
  return { packet: { pattern, data } };
}

/** The envelope a delivered packet carries (its `data`), or undefined if it is not a packet. */
export function envelopeIn(content: Buffer): Record<string, unknown> | undefined {
  const decoded = decodePacket(content);
  return 'packet' in decoded ? (decoded.packet.data as Record<string, unknown>) : undefined;
}
