import { DRINKS, SIZES, type PlaceOrderRequest } from '@app/contracts';
import { Pool, request } from 'undici';
import type { DownstreamCallCounts, FailureReason } from './model';
import type { Failure } from './stats';

/** A valid order for `POST /orders`, varied a little by sequence number (over the whole menu). */
export function orderBody(seq: number): string {
  const order: PlaceOrderRequest = {
    customer: `bench-${seq}`,
    items: [
      {
        drink: DRINKS[seq % DRINKS.length],
        size: SIZES[seq % SIZES.length],
        quantity: 1 + (seq % 2),
      },
    ],
  };
  return JSON.stringify(order);
}

export type PlaceResult =
  | { readonly accepted: true; readonly status: number; readonly orderId?: string }
  | { readonly accepted: false; readonly failure: Failure };

/** What an HTTP answer means for the order: 2xx accepted; 504 a timeout; other 5xx; else other. */
export function classifyStatus(status: number, body: unknown): PlaceResult {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if (status >= 200 && status < 300) {
    const id = record.id;
    return { accepted: true, status, orderId: typeof id === 'string' ? id : undefined };
  }
  const hop = typeof record.hop === 'string' ? record.hop : undefined;
  const reason: FailureReason = status === 504 ? 'timeout' : status >= 500 ? '5xx' : 'other';
  return { accepted: false, failure: { reason, status, hop } };
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
  'ABORT_ERR',
]);

/** A request that got no answer: refused connection, our own timeout, or anything else. */
export function classifyError(error: unknown): Failure {
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return { reason: 'refused', hop: 'client' };
  if (code !== undefined && TIMEOUT_CODES.has(code)) return { reason: 'timeout', hop: 'client' };
  return { reason: 'other', hop: 'client' };
}

export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  // undici may wrap the socket error; look one or two levels down for its code.
  for (let depth = 0; depth < 3 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The load client: one keep-alive pool to the order app, big enough never to be the limit. */
export class OrderClient {
  private readonly pools: Pool[];
  private next = 0;

  /**
   * One keep-alive pool per order instance; with several, each order goes to the next instance
   * in turn, as a round-robin balancer would, without another process on the cores.
   */
  constructor(
    origins: string | readonly string[],
    private readonly timeoutMs: number,
    connections = 1024,
  ) {
    const list = typeof origins === 'string' ? [origins] : origins;
    this.pools = list.map(
      (origin) =>
        new Pool(origin, {
          connections: Math.max(1, Math.ceil(connections / list.length)),
          pipelining: 1,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          connectTimeout: 5000,
          keepAliveTimeout: 30000,
        }),
    );
  }

  async place(body: string, correlationId: string): Promise<PlaceResult> {
    const pool = this.pools[this.next];
    this.next = (this.next + 1) % this.pools.length;
    try {
      const response = await pool.request({
        method: 'POST',
        path: '/orders',
        headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
        body,
        signal: AbortSignal.timeout(this.timeoutMs + 1000),
      });
      const text = await response.body.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return classifyStatus(response.statusCode, parsed);
    } catch (error) {
      return { accepted: false, failure: classifyError(error) };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((pool) => pool.destroy().catch(() => undefined)));
  }
}

const COUNTS = ['calls', 'attempts', 'retries', 'failedFast'] as const;

/** Order's GET /downstreams counts, or null where it has none (rmq, the bare baseline). */
export async function downstreamCalls(
  orderUrl: string,
): Promise<Record<string, DownstreamCallCounts> | null> {
  try {
    const response = await request(`${orderUrl}/downstreams`, {
      headersTimeout: 3000,
      bodyTimeout: 3000,
    });
    const body: unknown = await response.body.json().catch(() => null);
    if (response.statusCode !== 200 || typeof body !== 'object' || body === null) return null;
    const services: Record<string, DownstreamCallCounts> = {};
    for (const [service, view] of Object.entries(body as Record<string, Record<string, unknown>>)) {
      const counts = COUNTS.map((name) => view?.[name]);
      if (counts.every((count) => typeof count === 'number')) {
        const [calls, attempts, retries, failedFast] = counts;
        services[service] = { calls, attempts, retries, failedFast };
      }
    }
    return services;
  } catch {
    return null;
  }
}

/** The calls made between two readings of {@link downstreamCalls}. */
export function callsBetween(
  before: Record<string, DownstreamCallCounts> | null,
  after: Record<string, DownstreamCallCounts> | null,
): Record<string, DownstreamCallCounts> | null {
  if (!before || !after) return null;
  return Object.fromEntries(
    Object.entries(after).map(([service, counts]) => {
      const earlier = before[service];
      const delta = (name: (typeof COUNTS)[number]) => counts[name] - (earlier?.[name] ?? 0);
      return [
        service,
        {
          calls: delta('calls'),
          attempts: delta('attempts'),
          retries: delta('retries'),
          failedFast: delta('failedFast'),
        },
      ];
    }),
  );
}
