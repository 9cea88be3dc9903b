import type { PlaceOrderRequest } from '@app/contracts';

// Replies are whatever the service answered; each test states the shape it expects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Reply<T = any> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function post<T = any>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function get<T = any>(url: string): Promise<Reply<T>> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

export function anOrder(customer = 'Ada'): PlaceOrderRequest {
  return {
    customer,
    items: [
      { drink: 'latte', size: 'large', quantity: 2 },
      { drink: 'espresso', size: 'small', quantity: 1 },
    ],
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${ms} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface BuzzSeen {
  readonly orderId: string;
  readonly customer: string;
  readonly buzzedAt: string;
  readonly correlationId: string;
}

/** Follows the pager's Server-Sent Events stream and counts the buzzes per order. */
export class BuzzListener {
  readonly buzzes: BuzzSeen[] = [];
  private readonly abort = new AbortController();
  private done: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();

  static async follow(pagerUrl: string): Promise<BuzzListener> {
    const listener = new BuzzListener();
    const response = await fetch(`${pagerUrl}/buzzes/stream`, { signal: listener.abort.signal });
    if (!response.ok || !response.body) throw new Error(`SSE stream answered ${response.status}`);
    listener.done = listener.read(response.body);
    return listener;
  }

  count(orderId: string): number {
    return this.buzzes.filter((buzz) => buzz.orderId === orderId).length;
  }

  /** Resolves once every one of `orderIds` has been buzzed; fails after `ms`. */
  async waitFor(orderIds: readonly string[], ms = 20_000): Promise<void> {
    const missing = () => orderIds.filter((id) => this.count(id) === 0);
    if (missing().length === 0) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (missing().length > 0) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(`${missing().length} of ${orderIds.length} orders not buzzed in ${ms} ms`),
        );
      }, ms);
      this.waiters.add(check);
    });
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done.catch(() => undefined);
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of body) {
      buffered += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const event = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        for (const line of event.split('\n')) {
          if (line.startsWith('data:'))
            this.buzzes.push(JSON.parse(line.slice(5).trim()) as BuzzSeen);
        }
      }
      for (const waiter of [...this.waiters]) waiter();
    }
  }
}
