import { Client, request } from 'undici';

/** A buzz as the pager streams it. */
export interface Buzz {
  readonly orderId?: string;
  readonly correlationId?: string;
  readonly customer?: string;
  readonly buzzedAt?: string;
  readonly messageId?: string;
}

/**
 * Incremental Server-Sent Events parser: feed it chunks as they arrive, get back the `data` of
 * every complete event (multi-line data joined with "\n"; comments and other fields ignored).
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];

  push(chunk: string): string[] {
    this.buffer += chunk;
    const events: string[] = [];
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      let line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        if (this.data.length > 0) events.push(this.data.join('\n'));
        this.data = [];
      } else if (line.startsWith('data:')) {
        const value = line.slice(5);
        this.data.push(value.startsWith(' ') ? value.slice(1) : value);
      }
    }
    return events;
  }
}

/** A buzz from one event's data, or undefined if it is not one (keep-alives, other events). */
export function parseBuzz(data: string): Buzz | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? record[key] : undefined);
  const buzz: Buzz = {
    orderId: text('orderId'),
    correlationId: text('correlationId'),
    customer: text('customer'),
    buzzedAt: text('buzzedAt'),
    messageId: text('messageId'),
  };
  return buzz.orderId !== undefined || buzz.correlationId !== undefined ? buzz : undefined;
}

export interface BuzzStream {
  /** Buzzes received so far (all, matched or not). */
  readonly received: () => number;
  /** Why the stream ended early, if it did. */
  readonly error: () => string | undefined;
  close(): Promise<void>;
}

/**
 * Subscribes to `GET /buzzes/stream` and calls `onBuzz` for every buzz. Resolves once the pager
 * has answered 200 (so no buzz of the coming load can be missed); rejects otherwise.
 */
export async function subscribeBuzzes(
  pagerUrl: string,
  onBuzz: (buzz: Buzz, at: number) => void,
  timeoutMs = 5000,
): Promise<BuzzStream> {
  const controller = new AbortController();
  // A client of its own, destroyed on close: the pager cannot shut down while the stream's
  // connection lingers.
  const client = new Client(pagerUrl, { headersTimeout: timeoutMs, bodyTimeout: 0 });
  let response;
  try {
    response = await client.request({
      method: 'GET',
      path: '/buzzes/stream',
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
  } catch (error) {
    await client.destroy().catch(() => undefined);
    throw error;
  }
  if (response.statusCode !== 200) {
    await client.destroy().catch(() => undefined);
    throw new Error(`pager's GET /buzzes/stream answered ${response.statusCode}`);
  }
  const parser = new SseParser();
  let count = 0;
  let failure: string | undefined;
  let closing = false;
  const body = response.body;
  body.setEncoding('utf8');
  const pump = (async () => {
    try {
      for await (const chunk of body) {
        const at = performance.now();
        for (const data of parser.push(String(chunk))) {
          const buzz = parseBuzz(data);
          if (buzz) {
            count += 1;
            onBuzz(buzz, at);
          }
        }
      }
      if (!closing) failure = 'the pager closed the buzz stream';
    } catch (error) {
      if (!closing)
        failure = `buzz stream failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  })();
  return {
    received: () => count,
    error: () => failure,
    close: async () => {
      closing = true;
      controller.abort();
      await pump;
      await client.destroy().catch(() => undefined);
    },
  };
}

/** `GET /buzzes?limit=1` → total, as a cross-check of what the stream delivered. */
export async function pagerBuzzTotal(pagerUrl: string): Promise<number | null> {
  try {
    const response = await request(`${pagerUrl}/buzzes?limit=1`, {
      headersTimeout: 3000,
      bodyTimeout: 3000,
    });
    const body: unknown = await response.body.json();
    if (response.statusCode !== 200 || typeof body !== 'object' || body === null) return null;
    const total = (body as Record<string, unknown>).total;
    return typeof total === 'number' ? total : null;
  } catch {
    return null;
  }
}
