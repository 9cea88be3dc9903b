import { HttpHeaders } from '@app/contracts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedCall {
  readonly path: string;
  readonly idempotencyKey: string | undefined;
  /** What the proxy did: forwarded it, failed it on purpose, or found barista down. */
  readonly outcome: 'forwarded' | 'failed-first' | 'barista-down';
}

/**
 * A tiny HTTP proxy that order calls instead of barista: it records every call with its
 * `Idempotency-Key`, answers 502 (as a gateway would) while barista is down, and when
 * `failFirstCallPerOrder` is set, answers 503 to the first call of each order without passing
 * it on: a flaky barista, without a fault hook in barista itself.
 */
export class BaristaProxy {
  /** barista's URL; set once barista listens. */
  target = '';
  failFirstCallPerOrder = false;
  readonly calls: ProxiedCall[] = [];
  private readonly failedOnce = new Set<string>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<BaristaProxy> {
    const server = createServer();
    const proxy = new BaristaProxy(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      proxy.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  callsFor(orderId: string): ProxiedCall[] {
    return this.calls.filter((call) => call.idempotencyKey === orderId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const header = request.headers[HttpHeaders.IdempotencyKey];
    const idempotencyKey = typeof header === 'string' ? header : undefined;
    const path = request.url ?? '/';
    if (this.failFirstCallPerOrder && idempotencyKey && !this.failedOnce.has(idempotencyKey)) {
      this.failedOnce.add(idempotencyKey);
      this.calls.push({ path, idempotencyKey, outcome: 'failed-first' });
      response.writeHead(503, { 'content-type': 'text/plain' }).end('flaky barista');
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name))
        headers[name] = value;
    }
    let upstream: Response;
    try {
      upstream = await fetch(`${this.target}${path}`, {
        method: request.method,
        headers,
        body: request.method === 'GET' ? undefined : Buffer.concat(chunks),
      });
    } catch {
      this.calls.push({ path, idempotencyKey, outcome: 'barista-down' });
      response.writeHead(502, { 'content-type': 'text/plain' }).end('barista is down');
      return;
    }
    this.calls.push({ path, idempotencyKey, outcome: 'forwarded' });
    const body = Buffer.from(await upstream.arrayBuffer());
    response
      .writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      })
      .end(body);
  }
}
