import { Logger } from '@nestjs/common';
import { ServerRMQ } from '@nestjs/microservices';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { rmqServerOptions } from './rmq-options';
import { ShopRmqServer } from './shop-rmq.server';
import { delivery as aDelivery, fakeConfirmChannel } from './testing/amqp-fakes';

const fakeChannel = () => fakeConfirmChannel();
const delivery = (body: string | object, routingKey = 'order.placed') =>
  aDelivery(body, { routingKey });

describe('ShopRmqServer.handleMessage', () => {
  let server: ShopRmqServer;
  let parent: jest.SpyInstance;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    server = new ShopRmqServer({
      ...rmqServerOptions({ url: 'amqp://x', namespace: 't', prefetch: 1 }, 'barista'),
      namespace: 't',
    });
    server.addHandler('order.placed', () => Promise.resolve(), true);
    parent = jest.spyOn(ServerRMQ.prototype, 'handleMessage').mockResolvedValue(undefined);
  });

  afterEach(() => parent.mockRestore());

  const handle = (message: ConsumeMessage | null, channel: ConfirmChannel) =>
    server.handleMessage(message as unknown as Record<string, unknown>, channel);

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

  it('ignores the null delivery of a cancelled consumer', async () => {
    const { channel, asChannel } = fakeChannel();

    await handle(null, asChannel);

    expect(parent).not.toHaveBeenCalled();
    expect(channel.publish).not.toHaveBeenCalled();
    expect(channel.ack).not.toHaveBeenCalled();
  });
});
