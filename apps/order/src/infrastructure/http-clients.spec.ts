import 'reflect-metadata';
import {
  type CoffeeBrewed,
  envelope,
  EventTypes,
  HttpHeaders,
  type OrderPlaced,
} from '@app/contracts';
import { loadConfig } from '@app/platform';
import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { MarkOrderReadyCommand } from '../application/commands/mark-order-ready/mark-order-ready.command';
import { HopFailedError } from '../application/ports/hop-failed.error';
import { BrewAndBuzzProcess } from '../application/processes/brew-and-buzz.process';
import { OrderConfig } from '../order.config';
import { DownstreamCalls } from './downstream-calls';
import { HttpBaristaClient } from './http-barista.client';
import { HttpPagerClient } from './http-pager.client';

interface Received {
  readonly method?: string;
  readonly path?: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

type Reply = (body: unknown, response: ServerResponse) => void;

/** A real HTTP server on a free local port that records each request and answers with `reply`. */
interface FakeService {
  readonly url: string;
  readonly received: Received[];
}

const servers: Server[] = [];

async function startService(reply: Reply): Promise<FakeService> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      received.push({ method: request.method, path: request.url, headers: request.headers, body });
      reply(body, response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}

/** The URL of a port nobody listens on (it was just freed). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Brews whatever order it is sent, as the real barista does. */
const brewing: Reply = (body, response) => {
  const order = body as OrderPlaced;
  const now = new Date().toISOString();
  json(
    response,
    200,
    envelope<CoffeeBrewed>(
      EventTypes.CoffeeBrewed,
      {
        orderId: order.data.orderId,
        baristaId: 'fake-barista',
        machine: 1,
        startedAt: now,
        customer: order.data.customer,
        brewedAt: now,
      },
      { correlationId: order.correlationId, causationId: order.messageId },
    ),
  );
};

const buzzing: Reply = (body, response) => {
  const brewed = body as CoffeeBrewed;
  json(response, 201, { orderId: brewed.data.orderId, customer: brewed.data.customer });
};

const answering =
  (status: number, text = ''): Reply =>
  (_, response) => {
    response.writeHead(status, { 'content-type': 'text/plain' });
    response.end(text);
  };

const neverAnswering: Reply = () => undefined;

function orderPlaced(): OrderPlaced {
  const now = new Date().toISOString();
  return envelope<OrderPlaced>(
    EventTypes.OrderPlaced,
    {
      orderId: randomUUID(),
      customer: 'Ada',
      items: [{ drink: 'latte', size: 'large', quantity: 1 }],
      placedAt: now,
    },
    { correlationId: `corr-${randomUUID()}` },
  );
}

let connected: { barista: HttpBaristaClient; pager: HttpPagerClient } | undefined;
let commands: { execute: jest.Mock };
let calls: DownstreamCalls;

/**
 * The brew-and-buzz process over the two HTTP clients under test, configured as the order app
 * would be by `env` (the command bus is a fake: marking ready is another spec's business).
 */
function connect(env: Record<string, string>): BrewAndBuzzProcess {
  commands = { execute: jest.fn().mockResolvedValue(undefined) };
  const config = loadConfig(OrderConfig, {
    BARISTA_TIMEOUT_MS: '2000',
    PAGER_TIMEOUT_MS: '2000',
    HTTP_RETRY_BASE_MS: '10',
    ...env,
  });
  calls = new DownstreamCalls();
  connected = {
    barista: new HttpBaristaClient(config, calls),
    pager: new HttpPagerClient(config, calls),
  };
  return new BrewAndBuzzProcess(
    connected.barista,
    connected.pager,
    commands as unknown as CommandBus,
  );
}

const circuits = () => {
  const view = calls.view();
  return { barista: view.barista?.circuit, pager: view.pager?.circuit };
};

beforeAll(() => Logger.overrideLogger(false));

afterEach(async () => {
  await connected?.barista.onApplicationShutdown();
  await connected?.pager.onApplicationShutdown();
  connected = undefined;
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

describe('BrewAndBuzzProcess', () => {
  async function failure(promise: Promise<unknown>): Promise<HopFailedError> {
    const error: unknown = await promise.then(
      () => new Error('expected the hand-over to fail'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HopFailedError);
    return error as HopFailedError;
  }

  it('posts OrderPlaced to the barista, marks the order ready, buzzes the pager, completes', async () => {
    const barista = await startService(brewing);
    let readyBeforePager = false;
    const pager = await startService((body, response) => {
      readyBeforePager = commands.execute.mock.calls.length === 1;
      buzzing(body, response);
    });
    const order = orderPlaced();

    await connect({ BARISTA_URL: barista.url, PAGER_URL: pager.url }).handOver(order);

    expect(barista.received).toHaveLength(1);
    expect(barista.received[0]).toMatchObject({ method: 'POST', path: '/brews', body: order });
    expect(barista.received[0].headers).toMatchObject({
      'content-type': 'application/json',
      [HttpHeaders.CorrelationId]: order.correlationId,
      [HttpHeaders.MessageId]: order.messageId,
      [HttpHeaders.IdempotencyKey]: order.data.orderId,
    });

    expect(commands.execute).toHaveBeenCalledTimes(1);
    const command = commands.execute.mock.calls[0][0] as MarkOrderReadyCommand;
    expect(command).toBeInstanceOf(MarkOrderReadyCommand);
    expect(command.event.type).toBe(EventTypes.CoffeeBrewed);
    expect(command.event.data.orderId).toBe(order.data.orderId);
    expect(readyBeforePager).toBe(true);

    expect(pager.received).toHaveLength(1);
    const buzz = pager.received[0];
    expect(buzz).toMatchObject({ method: 'POST', path: '/buzzes', body: command.event });
    expect(buzz.headers).toMatchObject({
      [HttpHeaders.CorrelationId]: order.correlationId,
      [HttpHeaders.MessageId]: command.event.messageId,
      [HttpHeaders.IdempotencyKey]: order.data.orderId,
    });
    expect(command.event.messageId).not.toBe(order.messageId);
  });

  it('fails at the barista, unavailable, when nobody listens there', async () => {
    const pager = await startService(buzzing);
    const events = connect({ BARISTA_URL: await closedPort(), PAGER_URL: pager.url });

    const error = await failure(events.handOver(orderPlaced()));

    expect(error).toMatchObject({ hop: 'barista', failure: 'unavailable' });
    expect(error.message).toBe('barista refused the connection');
    expect(commands.execute).not.toHaveBeenCalled();
    expect(pager.received).toHaveLength(0);
  });

  it('fails at the barista with a timeout when it does not answer in time', async () => {
    const barista = await startService(neverAnswering);
    const pager = await startService(buzzing);
    const events = connect({
      BARISTA_URL: barista.url,
      PAGER_URL: pager.url,
      BARISTA_TIMEOUT_MS: '100',
    });

    const error = await failure(events.handOver(orderPlaced()));

    expect(error).toMatchObject({ hop: 'barista', failure: 'timeout' });
    expect(error.message).toContain('100 ms');
    expect(barista.received).toHaveLength(1);
    expect(commands.execute).not.toHaveBeenCalled();
    expect(pager.received).toHaveLength(0);
  }, 5000);

  it('fails at the barista, unavailable, when it answers 500', async () => {
    const barista = await startService(answering(500, 'boom'));
    const pager = await startService(buzzing);
    const events = connect({ BARISTA_URL: barista.url, PAGER_URL: pager.url });

    const error = await failure(events.handOver(orderPlaced()));

    expect(error).toMatchObject({ hop: 'barista', failure: 'unavailable' });
    expect(error.message).toContain('500');
    expect(pager.received).toHaveLength(0);
  });

  it('fails at the barista, rejected, when it answers 400, quoting its answer', async () => {
    const barista = await startService(answering(400, 'data.orderId must be a UUID'));
    const pager = await startService(buzzing);
    const events = connect({ BARISTA_URL: barista.url, PAGER_URL: pager.url });

    const error = await failure(events.handOver(orderPlaced()));

    expect(error).toMatchObject({ hop: 'barista', failure: 'rejected' });
    expect(error.message).toContain('400');
    expect(error.message).toContain('data.orderId must be a UUID');
    expect(commands.execute).not.toHaveBeenCalled();
    expect(pager.received).toHaveLength(0);
  });

  it('fails at the barista, rejected, when it answers with another order', async () => {
    const barista = await startService((body, response) => {
      const order = body as OrderPlaced;
      brewing({ ...order, data: { ...order.data, orderId: randomUUID() } }, response);
    });
    const pager = await startService(buzzing);
    const events = connect({ BARISTA_URL: barista.url, PAGER_URL: pager.url });

    const error = await failure(events.handOver(orderPlaced()));

    expect(error).toMatchObject({ hop: 'barista', failure: 'rejected' });
    expect(commands.execute).not.toHaveBeenCalled();
    expect(pager.received).toHaveLength(0);
  });

  it('fails at the barista (not with a bare SyntaxError) when it answers 200 with a body that is not JSON', async () => {
    const barista = await startService(answering(200, '<html>Bad gateway</html>'));
    const pager = await startService(buzzing);
    const events = connect({ BARISTA_URL: barista.url, PAGER_URL: pager.url });

    const error = await failure(events.handOver(orderPlaced()));

    expect(error.hop).toBe('barista');
    expect(commands.execute).not.toHaveBeenCalled();
    expect(pager.received).toHaveLength(0);
  });

  it('fails at the pager when nobody listens there, after marking the order ready', async () => {
    const barista = await startService(brewing);
    const events = connect({ BARISTA_URL: barista.url, PAGER_URL: await closedPort() });

    const error = await failure(events.handOver(orderPlaced()));

    expect(error).toMatchObject({ hop: 'pager', failure: 'unavailable' });
    expect(error.message).toBe('pager refused the connection');
    expect(commands.execute).toHaveBeenCalledTimes(1);
  });

  it('fails at the pager, rejected, when it answers 400', async () => {
    const barista = await startService(brewing);
    const pager = await startService(answering(400, 'no'));
    const events = connect({ BARISTA_URL: barista.url, PAGER_URL: pager.url });

    const error = await failure(events.handOver(orderPlaced()));

    expect(error).toMatchObject({ hop: 'pager', failure: 'rejected' });
  });

  it('balances the orders across every BARISTA_URL', async () => {
    const first = await startService(brewing);
    const second = await startService(brewing);
    const pager = await startService(buzzing);
    const events = connect({ BARISTA_URL: `${first.url},${second.url}`, PAGER_URL: pager.url });

    for (let i = 0; i < 10; i++) {
      await expect(events.handOver(orderPlaced())).resolves.toBe('done');
    }

    expect(first.received.length).toBeGreaterThan(0);
    expect(second.received.length).toBeGreaterThan(0);
    expect(first.received.length + second.received.length).toBe(10);
    expect(pager.received).toHaveLength(10);
  });
});

describe('BrewAndBuzzProcess defences', () => {
  /** Answers 503 to the first request of each idempotency key, then behaves as `then`. */
  function failingFirst(then: Reply): Reply {
    const seen = new Set<string>();
    return (body, response) => {
      const key = (body as OrderPlaced | CoffeeBrewed).data.orderId;
      if (seen.has(key)) return then(body, response);
      seen.add(key);
      answering(503, 'warming up')(body, response);
    };
  }

  const keysOf = (service: FakeService) =>
    service.received.map((request) => request.headers[HttpHeaders.IdempotencyKey]);

  /** Calls until the hand-over completes (each failure must be a HopFailedError); fails after 5 s. */
  async function completesEventually(events: BrewAndBuzzProcess): Promise<void> {
    const deadline = Date.now() + 5000;
    for (;;) {
      try {
        await events.handOver(orderPlaced());
        return;
      } catch (error) {
        expect(error).toBeInstanceOf(HopFailedError);
        if (Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('retries a barista that answered 503, with the same Idempotency-Key and message, and completes', async () => {
    const barista = await startService(failingFirst(brewing));
    const pager = await startService(buzzing);
    const order = orderPlaced();

    await connect({ BARISTA_URL: barista.url, PAGER_URL: pager.url }).handOver(order);

    expect(barista.received).toHaveLength(2);
    expect(keysOf(barista)).toEqual([order.data.orderId, order.data.orderId]);
    expect(barista.received.map((request) => request.body)).toEqual([order, order]);
    expect(barista.received[1].headers[HttpHeaders.MessageId]).toBe(order.messageId);
    expect(commands.execute).toHaveBeenCalledTimes(1);
    expect(pager.received).toHaveLength(1);
    expect(calls.view()).toEqual({
      barista: {
        circuit: 'closed',
        calls: 1,
        attempts: 2,
        retries: 1,
        failedFast: 0,
        inFlight: 0,
        sockets: expect.any(Number),
      },
      pager: {
        circuit: 'closed',
        calls: 1,
        attempts: 1,
        retries: 0,
        failedFast: 0,
        inFlight: 0,
        sockets: expect.any(Number),
      },
    });
  });

  it('retries the pager too, marking the order ready once', async () => {
    const barista = await startService(brewing);
    const pager = await startService(failingFirst(buzzing));
    const order = orderPlaced();

    await connect({ BARISTA_URL: barista.url, PAGER_URL: pager.url }).handOver(order);

    expect(barista.received).toHaveLength(1);
    expect(commands.execute).toHaveBeenCalledTimes(1);
    expect(keysOf(pager)).toEqual([order.data.orderId, order.data.orderId]);
    expect(pager.received[0].body).toEqual(pager.received[1].body);
  });

  it('does not retry a 4xx: the request itself is wrong, repeating it cannot help', async () => {
    const barista = await startService(answering(400, 'no'));
    const pager = await startService(buzzing);
    const events = connect({ BARISTA_URL: barista.url, PAGER_URL: pager.url, HTTP_RETRIES: '5' });

    await expect(events.handOver(orderPlaced())).rejects.toMatchObject({
      hop: 'barista',
      failure: 'rejected',
    });

    expect(barista.received).toHaveLength(1);
  });

  it("never retries past the call's deadline, however many retries and however long the backoff", async () => {
    const barista = await startService(answering(503));
    const pager = await startService(buzzing);
    const events = connect({
      BARISTA_URL: barista.url,
      PAGER_URL: pager.url,
      BARISTA_TIMEOUT_MS: '300',
      HTTP_RETRIES: '10',
      HTTP_RETRY_BASE_MS: '200',
      HTTP_BREAKER: 'off',
    });
    const started = Date.now();

    const error: unknown = await events.handOver(orderPlaced()).catch((e: unknown) => e);

    // The last answer is reported, not a timeout: no attempt was begun that could not finish.
    expect(error).toMatchObject({ hop: 'barista', failure: 'unavailable' });
    expect((error as Error).message).toBe('barista answered 503');
    expect(barista.received.length).toBeGreaterThanOrEqual(2);
    expect(barista.received.length).toBeLessThan(11);
    // Not a speed assertion: ten uncapped backoffs from 200 ms would take many seconds.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('with HTTP_DEFENCES=off makes one attempt per call and never stops calling', async () => {
    const barista = await startService(answering(503));
    const pager = await startService(buzzing);
    const events = connect({
      BARISTA_URL: barista.url,
      PAGER_URL: pager.url,
      HTTP_DEFENCES: 'off',
      HTTP_BREAKER_MIN_CALLS: '2',
    });

    for (let i = 0; i < 6; i++) {
      await expect(events.handOver(orderPlaced())).rejects.toMatchObject({
        hop: 'barista',
        message: 'barista answered 503',
      });
    }

    expect(barista.received).toHaveLength(6);
    expect(circuits()).toEqual({ barista: 'off', pager: 'off' });
  });

  describe('the circuit breaker', () => {
    let failing: boolean;
    let barista: FakeService;
    let pager: FakeService;

    beforeEach(async () => {
      failing = true;
      barista = await startService((body, response) =>
        failing ? answering(503)(body, response) : brewing(body, response),
      );
      pager = await startService(buzzing);
    });

    const breakerEnv = (cooldownMs: number) => ({
      BARISTA_URL: barista.url,
      PAGER_URL: pager.url,
      HTTP_RETRIES: '0',
      HTTP_BREAKER_WINDOW: '3',
      HTTP_BREAKER_MIN_CALLS: '3',
      HTTP_BREAKER_COOLDOWN_MS: String(cooldownMs),
    });

    it('opens after failures and then fails fast, naming barista, without calling it', async () => {
      const events = connect(breakerEnv(60_000));
      for (let i = 0; i < 3; i++) {
        await expect(events.handOver(orderPlaced())).rejects.toMatchObject({
          message: 'barista answered 503',
        });
      }
      expect(circuits()).toEqual({ barista: 'open', pager: 'closed' });

      for (let i = 0; i < 5; i++) {
        await expect(events.handOver(orderPlaced())).rejects.toMatchObject({
          hop: 'barista',
          failure: 'unavailable',
          message: expect.stringMatching(
            /^barista not called: its circuit is open .*barista answered 503/,
          ),
        });
      }
      expect(barista.received).toHaveLength(3);
      expect(pager.received).toHaveLength(0);
      expect(calls.view().barista).toEqual({
        circuit: 'open',
        calls: 8,
        attempts: 3,
        retries: 0,
        failedFast: 5,
        inFlight: 0,
        sockets: expect.any(Number),
      });
    });

    it('probes once after the cool-down: open again if the probe fails, closed once one succeeds', async () => {
      const events = connect(breakerEnv(100));
      for (let i = 0; i < 3; i++) await events.handOver(orderPlaced()).catch(() => undefined);
      expect(circuits().barista).toBe('open');

      // Still failing: the first call after the cool-down is the probe; it fails and reopens.
      const probed = async () => {
        const before = barista.received.length;
        await events.handOver(orderPlaced()).catch(() => undefined);
        return barista.received.length > before;
      };
      const deadline = Date.now() + 5000;
      while (!(await probed())) {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(barista.received).toHaveLength(4);
      expect(circuits().barista).toBe('open');

      failing = false;
      await completesEventually(events);
      expect(barista.received).toHaveLength(5);
      expect(circuits().barista).toBe('closed');
      await expect(events.handOver(orderPlaced())).resolves.toBe('done');
      expect(barista.received).toHaveLength(6);
    });

    it('does not count a 4xx against barista: it answered, the request was wrong', async () => {
      barista = await startService(answering(400, 'no'));
      const events = connect(breakerEnv(60_000));
      for (let i = 0; i < 6; i++) {
        await expect(events.handOver(orderPlaced())).rejects.toMatchObject({
          failure: 'rejected',
        });
      }
      expect(barista.received).toHaveLength(6);
      expect(circuits().barista).toBe('closed');
    });

    it('judges a call after its retries: a failure the retries absorbed does not count', async () => {
      barista = await startService(failingFirst(brewing));
      const events = connect({ ...breakerEnv(60_000), HTTP_RETRIES: '1' });
      for (let i = 0; i < 6; i++) await events.handOver(orderPlaced());
      expect(barista.received).toHaveLength(12);
      expect(circuits().barista).toBe('closed');
    });
  });
});
