import { Metrics } from '@app/platform';
import { Logger } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import { pino } from 'pino';
import { ServerRMQ } from '@nestjs/microservices';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { InFlightMessages } from './in-flight';
import { rmqServerOptions } from './rmq-options';
import { ShopRmqServer, type ShopRmqServerOptions } from './shop-rmq.server';
import { MAX_RETRY_ATTEMPTS, namespaceEntities } from './topology';
import { delivery as aDelivery, fakeConfirmChannel } from './testing/amqp-fakes';

const fakeChannel = () => fakeConfirmChannel();
const delivery = (body: string | object, routingKey = 'order.placed') =>
  aDelivery(body, { routingKey });

/** A server on barista's queue in namespace `t`, handling `order.placed`. */
const aServer = (extra: Partial<ShopRmqServerOptions> = {}) => {
  const server = new ShopRmqServer({
    ...rmqServerOptions({ url: 'amqp://x', namespace: 't', prefetch: 1 }, 'barista'),
    namespace: 't',
    ...extra,
  });
  server.addHandler('order.placed', () => Promise.resolve(), true);
  return server;
};

describe('ShopRmqServer.handleMessage', () => {
  let server: ShopRmqServer;
  let parent: jest.SpyInstance;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    server = aServer();
    parent = jest.spyOn(ServerRMQ.prototype, 'handleMessage').mockResolvedValue(undefined);
  });

  afterEach(() => parent.mockRestore());

  const handle = (message: ConsumeMessage | null, channel: ConfirmChannel) =>
    server.handleMessage(message as unknown as Record<string, unknown>, channel);

  it('counts every delivery taken, and the ones its gate dead-letters as rejected', async () => {
    const metrics = new Metrics('barista');
    const counted = aServer({ metrics });
    const { asChannel } = fakeChannel();
    const take = (message: ConsumeMessage) =>
      counted.handleMessage(message as unknown as Record<string, unknown>, asChannel);

    await take(delivery({ pattern: 'order.placed', data: { orderId: 'o-1' } }));
    await take(delivery('{not json'));

    const text = await metrics.registry.metrics();
    expect(text).toContain('shop_messages_consumed_total{queue="t.barista",service="barista"} 2');
    expect(text).toContain(
      'shop_messages_dead_lettered_total{queue="t.barista",reason="rejected",service="barista"} 1',
    );
    metrics.onModuleDestroy();
  });

  it('counts a payload nested too deep as invalid, by the limit it was given', async () => {
    const metrics = new Metrics('barista');
    const counted = aServer({ metrics, maxDepth: 4 });
    const { published, asChannel } = fakeChannel();
    const take = (message: ConsumeMessage) =>
      counted.handleMessage(message as unknown as Record<string, unknown>, asChannel);

    await take(delivery({ pattern: 'order.placed', data: { orderId: 'o-1', a: [[1]] } }));
    await take(delivery({ pattern: 'order.placed', data: { orderId: 'o-1', a: [[[1]]] } }));

    expect(published).toHaveLength(1);
    expect(published[0].options.headers['x-dead-letter-reason']).toBe(
      'invalid: the JSON is nested deeper than 4 levels (BODY_MAX_DEPTH)',
    );
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'shop_messages_dead_lettered_total{queue="t.barista",reason="invalid",service="barista"} 1',
    );
    metrics.onModuleDestroy();
  });

  it('passes a well-formed message for a handled event on to Nest', async () => {
    const { channel, asChannel } = fakeChannel();
    const message = delivery({ pattern: 'order.placed', data: { orderId: 'o-1' } });

    await handle(message, asChannel);

    expect(parent).toHaveBeenCalledTimes(1);
    expect(parent).toHaveBeenCalledWith(message, asChannel);
    expect(channel.publish).not.toHaveBeenCalled();
    expect(channel.ack).not.toHaveBeenCalled();
  });

  it.each([
    ['a body that is not JSON', delivery('{not json'), 'not JSON'],
    ['a JSON array', delivery('[1, 2]'), 'not a JSON object'],
    ['a JSON string', delivery('"order.placed"'), 'not a JSON object'],
    ['JSON null', delivery('null'), 'not a JSON object'],
    ['no pattern', delivery({ data: {} }), 'no string "pattern"'],
    ['a pattern that is not a string', delivery({ pattern: 42, data: {} }), 'no string "pattern"'],
    ['no data', delivery({ pattern: 'order.placed' }), 'no object "data"'],
    [
      'a pattern other than its routing key',
      delivery({ pattern: 'coffee.brewed', data: {} }, 'order.placed'),
      'pattern "coffee.brewed" does not match routing key "order.placed"',
    ],
    [
      'an event nobody here handles',
      delivery({ pattern: 'brew.started', data: {} }, 'brew.started'),
      'no handler for "brew.started" on t.barista',
    ],
    [
      'a payload nested deeper than the limit',
      delivery(
        `{"pattern":"order.placed","data":{"orderId":"o-1","x":${'['.repeat(2000)}${']'.repeat(2000)}}}`,
      ),
      'invalid: the JSON is nested deeper than 32 levels',
    ],
  ])('dead-letters %s with the reason, then acks it', async (_, message, reason) => {
    const { channel, published, steps, asChannel } = fakeChannel();

    await handle(message, asChannel);

    expect(parent).not.toHaveBeenCalled();
    expect(published).toHaveLength(1);
    const [copy] = published;
    expect(copy.exchange).toBe('t.dlx');
    expect(copy.routingKey).toBe(message.fields.routingKey);
    expect(copy.content).toEqual(message.content);
    expect(copy.options.headers['x-dead-letter-reason']).toContain(reason);
    expect(copy.options.headers['x-original-queue']).toBe('t.barista');
    expect(copy.options.headers['x-original-routing-key']).toBe(message.fields.routingKey);
    expect(channel.ack).toHaveBeenCalledWith(message);
    expect(channel.nack).not.toHaveBeenCalled();
    expect(steps).toEqual(['publish', 'ack']);
  });

  it('dispatches a message back from a retry queue by the routing key it was published with', async () => {
    const { channel, asChannel } = fakeChannel();
    const message = aDelivery(
      { pattern: 'order.placed', data: {} },
      {
        exchange: '',
        routingKey: 't.barista',
        properties: {
          headers: { 'x-original-routing-key': 'order.placed', 'x-original-exchange': 't.events' },
        },
      },
    );

    await handle(message, asChannel);

    expect(parent).toHaveBeenCalledTimes(1);
    expect(channel.publish).not.toHaveBeenCalled();
  });

  it('dead-letters a message sent straight to the queue without its original routing key', async () => {
    const { published, asChannel } = fakeChannel();
    const message = aDelivery(
      { pattern: 'order.placed', data: {} },
      { exchange: '', routingKey: 't.barista' },
    );

    await handle(message, asChannel);

    expect(parent).not.toHaveBeenCalled();
    expect(published[0].options.headers['x-dead-letter-reason']).toContain(
      'does not match routing key "t.barista"',
    );
  });

  it('counts a delivery as in flight until it is settled: at once when dead-lettered', async () => {
    const inFlight = new InFlightMessages();
    const tracked = aServer({ inFlight });
    const { asChannel } = fakeChannel();

    await tracked.handleMessage(
      delivery({ pattern: 'order.placed', data: {} }) as unknown as Record<string, unknown>,
      asChannel,
    );
    expect(inFlight.size).toBe(1);

    await tracked.handleMessage(delivery('{bad') as unknown as Record<string, unknown>, asChannel);
    expect(inFlight.size).toBe(1);
  });

  it("handles a delivery inside a log context of its headers' correlation id and trace", async () => {
    const root = pino({ base: undefined }, { write: () => undefined });
    (PinoLogger as unknown as { root: unknown }).root = root;
    const seen: Record<string, unknown>[] = [];
    parent.mockImplementation(() => {
      seen.push(storage.getStore()?.logger.bindings() ?? {});
      return Promise.resolve();
    });
    try {
      const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const message = aDelivery(
        { pattern: 'order.placed', data: { data: { orderId: 'o-1' } } },
        {
          properties: {
            correlationId: 'c-7',
            headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` },
          },
        },
      );
      await handle(message, fakeChannel().asChannel);
      expect(seen).toEqual([{ correlationId: 'c-7', traceId: trace, spanId: '00f067aa0ba902b7' }]);
    } finally {
      (PinoLogger as unknown as { root: unknown }).root = undefined;
    }
  });

  it('names the order in the warning when it dead-letters a message that names one', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await handle(
        delivery({ pattern: 'order.placed', data: { data: { orderId: 'o-9' } } }, 'coffee.brewed'),
        fakeChannel().asChannel,
      );
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ orderId: 'o-9' }));
    } finally {
      warn.mockRestore();
    }
  });

  it('ignores the null delivery of a cancelled consumer', async () => {
    const { channel, asChannel } = fakeChannel();

    await handle(null, asChannel);

    expect(parent).not.toHaveBeenCalled();
    expect(channel.publish).not.toHaveBeenCalled();
    expect(channel.ack).not.toHaveBeenCalled();
  });
});

/** A raw amqplib channel as amqp-connection-manager hands it to a setup function. */
function setupChannel() {
  const calls: string[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push(`${name} ${args.filter((a) => typeof a === 'string').join(' ')}`.trim());
      return Promise.resolve({ queue: args[0] });
    };
  const listeners = new Map<string, (...args: unknown[]) => void>();
  const channel = {
    assertExchange: jest.fn(record('assertExchange')),
    assertQueue: jest.fn(record('assertQueue')),
    bindQueue: jest.fn(record('bindQueue')),
    prefetch: jest.fn(record('prefetch')),
    consume: jest.fn(record('consume')),
    cancel: jest.fn(record('cancel')),
    once: jest.fn((event: string, listener: (...args: unknown[]) => void) =>
      listeners.set(event, listener),
    ),
    on: jest.fn((event: string, listener: (...args: unknown[]) => void) =>
      listeners.set(event, listener),
    ),
  };
  return {
    channel,
    calls,
    emit: (event: string, ...args: unknown[]) => listeners.get(event)?.(...args),
    asChannel: channel as unknown as ConfirmChannel,
  };
}

describe('ShopRmqServer.setupChannel', () => {
  beforeAll(() => Logger.overrideLogger(false));

  const server = (retries = 2, inFlight?: InFlightMessages) => {
    const created = new ShopRmqServer({
      ...rmqServerOptions({ url: 'amqp://x', namespace: 't', prefetch: 4 }, 'barista'),
      namespace: 't',
      context: 'barista',
      retry: { retries, baseDelayMs: 100 },
      inFlight,
    });
    created.addHandler('order.placed', () => Promise.resolve(), true);
    return created;
  };

  it('declares one retry queue per retry, each dead-lettering back to the queue, then consumes', async () => {
    const { channel, calls, asChannel } = setupChannel();

    await server(2).setupChannel(asChannel, () => undefined);

    expect(channel.assertQueue).toHaveBeenCalledWith('t.barista.retry.1', {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': 't.barista',
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
    expect(channel.assertQueue).toHaveBeenCalledWith('t.barista.retry.2', expect.anything());
    // Every context's retry queues: the whole namespace is declared (declareTopology).
    expect(calls.filter((call) => call.includes('t.barista.retry'))).toHaveLength(2);
    expect(calls.indexOf('assertQueue t.barista.retry.2')).toBeLessThan(
      calls.findIndex((call) => call.startsWith('consume')),
    );
    expect(channel.prefetch).toHaveBeenCalledWith(4, false);
    expect(channel.consume).toHaveBeenCalledWith(
      't.barista',
      expect.any(Function),
      expect.objectContaining({ noAck: false, consumerTag: expect.stringContaining('t.barista/') }),
    );
  });

  it('declares nothing that deleteNamespace would leave behind, at the most retries', async () => {
    const { calls, asChannel } = setupChannel();

    await server(MAX_RETRY_ATTEMPTS).setupChannel(asChannel, () => undefined);

    const declared = (what: string) =>
      calls.filter((call) => call.startsWith(`${what} `)).map((call) => call.split(' ')[1]);
    const { queues, exchanges } = namespaceEntities('t');
    expect(new Set(declared('assertQueue')).size).toBe(queues.length);
    expect(queues).toEqual(expect.arrayContaining(declared('assertQueue')));
    expect(exchanges).toEqual(expect.arrayContaining(declared('assertExchange')));
    expect(declared('assertExchange')).toContain('t.events');
  });

  it('declares no retry queue when retries are off', async () => {
    const { calls, asChannel } = setupChannel();

    await server(0).setupChannel(asChannel, () => undefined);

    expect(calls.some((call) => call.includes('retry'))).toBe(false);
  });

  it("calls Nest's listen callback on the first setup only, not on every reconnect", async () => {
    const started = jest.fn();
    const consumer = server();

    await consumer.setupChannel(setupChannel().asChannel, started);
    await consumer.setupChannel(setupChannel().asChannel, started);

    expect(started).toHaveBeenCalledTimes(1);
  });

  it('cancels its consumer on stop, and takes nothing on a reconnect afterwards', async () => {
    const consumer = server();
    const first = setupChannel();
    await consumer.setupChannel(first.asChannel, () => undefined);
    expect(consumer.isConsuming).toBe(true);
    const tag = first.channel.consume.mock.calls[0][2] as { consumerTag: string };

    await consumer.stopConsuming();

    expect(first.channel.cancel).toHaveBeenCalledWith(tag.consumerTag);
    expect(consumer.isConsuming).toBe(false);
    const second = setupChannel();
    await consumer.setupChannel(second.asChannel, () => undefined);
    expect(second.channel.consume).not.toHaveBeenCalled();
  });

  it('is not consuming once its channel has closed, and forgets the deliveries on it', async () => {
    const inFlight = new InFlightMessages();
    const consumer = server(2, inFlight);
    const { asChannel, emit } = setupChannel();
    await consumer.setupChannel(asChannel, () => undefined);
    inFlight.add(delivery({ pattern: 'order.placed', data: {} }), asChannel);

    emit('close');

    expect(consumer.isConsuming).toBe(false);
    expect(inFlight.size).toBe(0);
  });

  it('reconnects, after a pause, when the broker closes its channel with an error', async () => {
    jest.useFakeTimers();
    try {
      const consumer = server();
      const reconnect = jest.fn();
      Object.assign(consumer, { server: { reconnect } });
      const { asChannel, emit } = setupChannel();
      await consumer.setupChannel(asChannel, () => undefined);

      emit('error', new Error('NOT_FOUND - no exchange'));
      expect(reconnect).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1000);

      expect(reconnect).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
