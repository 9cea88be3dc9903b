// The optional API gateway (apps/gateway) in front of real servers on real ports: the shop under
// both transports, and small stub servers that count what reaches them, to watch balancing,
// fail-over, timeouts and the headers and bodies that pass through.
import 'reflect-metadata';
import { freePort, loadConfig } from '@app/platform';
import type { INestApplication } from '@nestjs/common';
import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayApp } from '../apps/gateway/src/bootstrap';
import { GatewayConfig } from '../apps/gateway/src/gateway.config';
import type { GatewayOptions } from '../apps/gateway/src/gateway.module';
import type { Lookup } from '../apps/gateway/src/infrastructure/upstream-discovery';
import { anOrder, BuzzListener, eventually, get, post } from './support/client';
import { Shop } from './support/shop';
import { SpawnedApp } from './support/spawned-app';

type OrderBody = { id: string; status: string; correlationId: string };

async function startGateway(
  env: Record<string, string>,
  options: GatewayOptions = {},
): Promise<INestApplication> {
  const config = loadConfig(GatewayConfig, {
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'fatal',
    ...env,
  });
  const app = await createGatewayApp(config, options);
  await app.listen(0, '127.0.0.1');
  return app;
}

/** A GET of `path` exactly as written (fetch would resolve `..` before sending it). */
function rawGet(base: string, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(base, { path }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(body) as unknown }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function urlOf(app: INestApplication): string {
  return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
}

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A stand-in upstream: answers with its name, or never (`slow`), or drops POSTs (`drop`). */
class Stub {
  readonly seen: Seen[] = [];
  /** Streams (`/forever`) still open. */
  open = 0;
  mode: 'ok' | 'slow' | 'drop' | 'unavailable' = 'ok';
  private server?: Server;
  private port = 0;

  /** `host`: a loopback address of its own (127.0.0.2, ...), for replicas on one port. */
  constructor(
    readonly name: string,
    private readonly host = '127.0.0.1',
  ) {}

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** Starts (again, on the same port; `port`: on that one, the first time). */
  async start(port = this.port): Promise<this> {
    this.port = port;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const { method = '', url = '', headers } = request;
        this.seen.push({ method, url, headers, body });
        if (url.endsWith('/stream')) return this.events(response);
        if (url.endsWith('/forever')) {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: {}\n\n');
          this.open += 1;
          response.on('close', () => (this.open -= 1));
          return;
        }
        if (this.mode === 'slow') return;
        if (this.mode === 'drop' && method === 'POST') return request.socket.destroy();
        response.statusCode = this.mode === 'unavailable' ? 503 : 200;
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ stub: this.name }));
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, this.host, resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Server-Sent Events: one at once, the next after a pause longer than any timeout here. */
  private events(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write('data: {"n":1}\n\n');
    setTimeout(() => response.end('data: {"n":2}\n\n'), 1_000);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe.each(['http', 'rmq'] as const)('the shop behind the gateway, over %s', (transport) => {
  let shop: Shop;
  let gateway: INestApplication;
  let buzzes: BuzzListener;

  beforeAll(async () => {
    shop = await Shop.start({ transport, brewMs: 20, machines: 2 });
    gateway = await startGateway({
      ORDER_UPSTREAMS: shop.orderUrl,
      BARISTA_UPSTREAMS: shop.baristaUrl,
      PAGER_UPSTREAMS: shop.pagerUrl,
    });
    // The pager's Server-Sent Events, through the gateway.
    buzzes = await BuzzListener.follow(urlOf(gateway));
  });

  afterAll(async () => {
    await buzzes?.close();
    await gateway?.close();
    await shop?.close();
  });

  it('takes an order, follows it to ready and streams its buzz, all through the gateway', async () => {
    const url = urlOf(gateway);
    const placed = await post<OrderBody>(`${url}/orders`, anOrder('Lin'), {
      'x-correlation-id': `gateway-${transport}`,
    });
    expect(placed.status).toBe(transport === 'http' ? 201 : 202);
    expect(placed.headers.get('x-correlation-id')).toBe(`gateway-${transport}`);

    const ready = await eventually(`order ${placed.body.id} to be ready`, async () => {
      const { status, body } = await get<OrderBody>(`${url}/orders/${placed.body.id}`);
      expect(status).toBe(200);
      return body.status === 'ready' ? body : undefined;
    });
    expect(ready.correlationId).toBe(`gateway-${transport}`);

    await buzzes.waitFor([placed.body.id]);
    expect(buzzes.count(placed.body.id)).toBe(1);
    const buzz = await get(`${url}/buzzes/${placed.body.id}`);
    expect(buzz.status).toBe(200);
    expect(buzz.body).toMatchObject({ customer: 'Lin' });
  });

  it("passes the services' own answers through, 400s included", async () => {
    const bad = await post(`${urlOf(gateway)}/orders`, { customer: '', items: [] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/customer|items/);
    // The gateway never parses a body: the service's own limits answer, through it.
    const deep = await post(
      `${urlOf(gateway)}/orders`,
      `{"customer":"Ada","items":[],"x":${'['.repeat(2000)}${']'.repeat(2000)}}`,
    );
    expect(deep.status).toBe(400);
    expect(deep.body.message).toMatch(/nested deeper than 32 levels \(BODY_MAX_DEPTH\)/);
    const text = await post(`${urlOf(gateway)}/orders`, 'Ada, one latte', {
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
    const bar = await get(`${urlOf(gateway)}/brews`);
    expect(bar.status).toBe(200);
  });

  it('serves its own /health (every route up) and /metrics', async () => {
    const health = await get(`${urlOf(gateway)}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      service: 'gateway',
      checks: {
        order: { status: 'up' },
        barista: { status: 'up' },
        pager: { status: 'up' },
      },
    });
    const metrics = await fetch(`${urlOf(gateway)}/metrics`);
    const text = await metrics.text();
    expect(text).toContain(`route="order",instance="${shop.orderUrl}",outcome="response"`);
  });
});

describe("compose's http arrangement: order calls barista through the gateway", () => {
  let shop: Shop;
  let gateway: INestApplication;

  beforeAll(async () => {
    const port = await freePort();
    shop = await Shop.start({
      transport: 'http',
      brewMs: 20,
      orderBaristaUrl: `http://127.0.0.1:${port}`,
    });
    const config = loadConfig(GatewayConfig, {
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'fatal',
      ORDER_UPSTREAMS: shop.orderUrl,
      BARISTA_UPSTREAMS: shop.baristaUrl,
      PAGER_UPSTREAMS: shop.pagerUrl,
    });
    gateway = await createGatewayApp(config);
    await gateway.listen(port, '127.0.0.1');
  });

  afterAll(async () => {
    await gateway?.close();
    await shop?.close();
  });

  it("brews through the gateway, and order's readiness follows the gateway's", async () => {
    const url = urlOf(gateway);
    const placed = await post<OrderBody>(`${url}/orders`, anOrder('Kay'));
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('ready');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(
        `_count\\{[^}]*route="barista",instance="${shop.baristaUrl}",outcome="response",status="200"\\} 1\\b`,
      ),
    );
    const health = await get(`${shop.orderUrl}/health`);
    expect(health.status).toBe(200);
  });
});

describe('the gateway in front of several instances', () => {
  const a = new Stub('a');
  const b = new Stub('b');
  const slow = new Stub('slow');
  let gateway: INestApplication;
  let url: string;

  beforeAll(async () => {
    await Promise.all([a.start(), b.start(), slow.start()]);
    slow.mode = 'slow';
    gateway = await startGateway({
      BARISTA_UPSTREAMS: `${a.url},${b.url}`,
      // `localhost` resolves to this machine: one instance, not one per address family.
      ORDER_UPSTREAMS: a.url.replace('127.0.0.1', 'localhost'),
      PAGER_UPSTREAMS: slow.url,
      PAGER_UPSTREAM_TIMEOUT_MS: '300',
      GATEWAY_COOLDOWN_MS: '300',
    });
    url = urlOf(gateway);
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([a.stop(), b.stop(), slow.stop()]);
  });

  beforeEach(() => {
    for (const stub of [a, b, slow]) stub.seen.length = 0;
    a.mode = 'ok';
    b.mode = 'ok';
  });

  /** Waits out any cool-down that the tests before left on a route's instances. */
  const allUp = (route: string) =>
    eventually(`every ${route} instance to be believed up`, async () => {
      type Health = { checks: Record<string, { instances: { status: string }[] }> };
      const { body } = await get<Health>(`${url}/health`);
      return body.checks[route].instances.every((i) => i.status === 'up') ? true : undefined;
    });

  const brews = async (count: number) => {
    const answers: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const { status, body } = await get<{ stub: string }>(`${url}/brews/${i}`);
      expect(status).toBe(200);
      answers.push(body.stub);
    }
    return answers;
  };

  it('balances round-robin over the instances', async () => {
    const answers = await brews(10);
    expect(answers.filter((name) => name === 'a')).toHaveLength(5);
    expect(answers.filter((name) => name === 'b')).toHaveLength(5);
    // Each request went to the other instance than the one before.
    expect(answers.every((name, i) => i === 0 || name !== answers[i - 1])).toBe(true);
  });

  it('forwards the body byte for byte and the tracing headers untouched, adding x-forwarded-*', async () => {
    const body = '{ "customer" :"Ada",   "items": [] }';
    const response = await fetch(`${url}/orders?from=test`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-correlation-id': 'corr-1',
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'shop=1',
        'idempotency-key': 'key-1',
        'x-forwarded-for': '203.0.113.9',
      },
      body,
    });
    expect(response.status).toBe(200);
    const [seen] = a.seen;
    expect(seen).toMatchObject({ method: 'POST', url: '/orders?from=test', body });
    expect(seen.headers).toMatchObject({
      'x-correlation-id': 'corr-1',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'shop=1',
      'idempotency-key': 'key-1',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': new URL(url).host,
    });
  });

  it('resolves a host name to its addresses: localhost is one instance, 127.0.0.1', async () => {
    const health = await get<{ checks: { order: { instances: { url: string }[] } } }>(
      `${url}/health`,
    );
    expect(health.body.checks.order.instances.map((instance) => instance.url)).toEqual([a.url]);
  });

  it('answers 404 JSON for a path no route serves', async () => {
    for (const [path, normalised] of [
      ['/nowhere', '/nowhere'],
      ['/ordersx', '/ordersx'],
      // A path cannot climb out of its route's prefix on the service behind.
      ['/orders/../metrics', '/metrics'],
      ['/buzzes/%2e%2e/secret', '/secret'],
    ]) {
      const response = await rawGet(url, path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.body).toMatchObject({
        statusCode: 404,
        message: `Cannot GET ${normalised}`,
      });
    }
    expect(a.seen).toEqual([]);
  });

  it('answers 400 to a request target that is not a valid path, forwarding nothing', async () => {
    for (const path of ['/orders?x=%', 'http://elsewhere.example/orders']) {
      const response = await rawGet(url, path);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(response.body).toMatchObject({ statusCode: 400 });
    }
    expect(a.seen).toEqual([]);
    expect((await get(`${url}/orders?x=%25`)).status).toBe(200);
  });

  it('sends the traffic to the other instance while one is stopped, and back once it returns', async () => {
    await b.stop();
    try {
      // The first request that meets b is refused and goes on to a; b then sits out its cool-down.
      expect(await brews(6)).toEqual(Array(6).fill('a'));
      // Refused before anything was sent: a POST may go to the other instance too.
      const posted = await post(`${url}/brews`, { orderId: 'x' });
      expect(posted).toMatchObject({ status: 200, body: { stub: 'a' } });
    } finally {
      await b.start();
    }
    await eventually('b to take requests again', async () =>
      (await brews(2)).includes('b') ? true : undefined,
    );
  });

  it('does not send a POST again to another instance once the first may have received it', async () => {
    a.mode = 'drop';
    b.mode = 'drop';
    const answers = await Promise.all([
      post(`${url}/brews`, { orderId: 'y' }),
      post(`${url}/brews`, { orderId: 'z' }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(502);
      expect(answer.body).toMatchObject({ statusCode: 502, upstream: 'barista' });
    }
    // Two POSTs, each seen by exactly one instance.
    expect(a.seen.length + b.seen.length).toBe(2);
  });

  it("passes a service's own 503 through at once: not retried, the instance still up", async () => {
    await allUp('barista');
    a.mode = 'unavailable';
    b.mode = 'unavailable';
    const response = await get(`${url}/brews/1`);
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ stub: expect.stringMatching(/^[ab]$/) });
    expect(a.seen.length + b.seen.length).toBe(1);
    expect((await get(`${url}/health`)).status).toBe(200);
  });

  it('answers 504 naming the upstream when it does not answer within its timeout', async () => {
    const response = await get(`${url}/buzzes`);
    expect(response.status).toBe(504);
    expect(response.body).toMatchObject({
      statusCode: 504,
      upstream: 'pager',
      instance: slow.url,
      message: 'pager did not answer within 300 ms',
    });
    expect(slow.seen).toHaveLength(1);
  });

  it('streams Server-Sent Events unbuffered, through pauses longer than the timeout', async () => {
    await allUp('pager');
    const response = await fetch(`${url}/buzzes/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    // The first event arrives on its own, before the upstream has finished the response.
    const first = await reader.read();
    expect(decoder.decode(first.value)).toBe('data: {"n":1}\n\n');
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += decoder.decode(chunk.value);
    }
    expect(rest).toBe('data: {"n":2}\n\n');
  });

  it("closes the upstream's stream when the client goes away", async () => {
    await allUp('pager');
    const abort = new AbortController();
    const response = await fetch(`${url}/buzzes/forever`, { signal: abort.signal });
    const reader = response.body!.getReader();
    await reader.read();
    expect(slow.open).toBe(1);
    abort.abort();
    await eventually('the upstream stream to close', () =>
      Promise.resolve(slow.open === 0 ? true : undefined),
    );
  });

  it('answers 502, then 503 while every instance sits out, and reports the route down', async () => {
    await allUp('barista');
    await Promise.all([a.stop(), b.stop()]);
    try {
      const first = await get(`${url}/brews/1`);
      expect(first.status).toBe(502);
      expect(first.body).toMatchObject({ upstream: 'barista', message: /ECONNREFUSED/ });
      const next = await get(`${url}/brews/1`);
      expect(next.status).toBe(503);
      expect(next.body).toMatchObject({
        statusCode: 503,
        upstream: 'barista',
        message: 'no instance of barista is up',
      });
      const health = await get(`${url}/health`);
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ checks: { barista: { status: 'down' } } });
    } finally {
      await Promise.all([a.start(), b.start()]);
    }
    await eventually('the gateway to be ready again', async () =>
      (await get(`${url}/health`)).status === 200 ? true : undefined,
    );
  });
});

describe('the gateway in front of a name with several addresses (a scaled service in Docker)', () => {
  // Docker's DNS answers a scaled service's name with one address per replica, each replica on
  // the same port: here one loopback address per stub, and a lookup that answers like that DNS.
  const replicas = ['127.0.0.1', '127.0.0.2', '127.0.0.3'].map(
    (host, i) => new Stub(`replica-${i + 1}`, host),
  );
  let addresses: string[] = [];
  const lookup: Lookup = (host) =>
    host === 'order'
      ? Promise.resolve(addresses.map((address) => ({ address, family: 4 })))
      : Promise.reject(new Error(`getaddrinfo ENOTFOUND ${host}`));
  let gateway: INestApplication;
  let url: string;

  beforeAll(async () => {
    await replicas[0].start();
    const port = Number(new URL(replicas[0].url).port);
    await Promise.all(replicas.slice(1).map((replica) => replica.start(port)));
    addresses = ['127.0.0.1', '127.0.0.2'];
    gateway = await startGateway(
      { ORDER_UPSTREAMS: `http://order:${port}`, GATEWAY_DNS_REFRESH_MS: '100' },
      { lookup },
    );
    url = urlOf(gateway);
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all(replicas.map((replica) => replica.stop()));
  });

  /** Which replica answered each of `count` requests sent one after another. */
  const answers = async (count: number) => {
    const names: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const { status, body } = await get<{ stub: string }>(`${url}/orders/${i}`);
      expect(status).toBe(200);
      names.push(body.stub);
    }
    return names.sort();
  };

  const listed = (count: number) =>
    eventually(`the gateway to list ${count} order instances`, async () => {
      type Health = { checks: { order: { instances: unknown[] } } };
      const { body } = await get<Health>(`${url}/health`);
      return body.checks.order.instances.length === count ? true : undefined;
    });

  it('sends requests to every address the name resolves to, in turn', async () => {
    expect(await answers(6)).toEqual([
      ...Array<string>(3).fill('replica-1'),
      ...Array<string>(3).fill('replica-2'),
    ]);
  });

  it('looks the name up again: a replica that appears takes requests, one that goes stops', async () => {
    addresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    await listed(3);
    expect(new Set(await answers(6))).toEqual(new Set(['replica-1', 'replica-2', 'replica-3']));
    addresses = ['127.0.0.3'];
    await listed(1);
    for (const replica of replicas) replica.seen.length = 0;
    expect(await answers(3)).toEqual(['replica-3', 'replica-3', 'replica-3']);
    expect(replicas[0].seen.length + replicas[1].seen.length).toBe(0);
  });
});

describe('the gateway as its own process (main.ts)', () => {
  const stub = new Stub('only');
  let gateway: SpawnedApp | undefined;

  afterAll(async () => {
    await gateway?.stop();
    await stub.stop();
  });

  it('starts from its environment, is ready, and forwards', async () => {
    await stub.start();
    const port = await freePort();
    gateway = SpawnedApp.start('gateway', port, {
      GATEWAY_PORT: String(port),
      ORDER_UPSTREAMS: stub.url,
      BARISTA_UPSTREAMS: stub.url,
      PAGER_UPSTREAMS: stub.url,
    });
    await gateway.ready();
    const { status, body } = await get(`${gateway.url}/buzzes/1`);
    expect({ status, body }).toEqual({ status: 200, body: { stub: 'only' } });
    expect(gateway.log).toMatch(/Listening on http:\/\/127\.0\.0\.1:\d+: \/orders/);
  });
});
