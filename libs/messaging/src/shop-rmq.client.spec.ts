import 'reflect-metadata';
import { RmqRecordBuilder } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { encodePacket } from './packet';
import { rmqClientOptions } from './rmq-options';
import { ShopRmqClient } from './shop-rmq.client';

describe('ShopRmqClient', () => {
  const publish = jest.fn((..._args: unknown[]) => Promise.resolve(true));
  let client: ShopRmqClient;

  beforeEach(() => {
    publish.mockClear();
    client = new ShopRmqClient(rmqClientOptions({ url: 'amqp://unused', namespace: 't' }));
    // Stands in for the connected channel: emit() connects first, then dispatches.
    Object.assign(client, { channel: { publish }, connect: () => Promise.resolve() });
  });

  it("publishes Nest's {pattern, data} packet to the exchange, routed by the pattern, persistent", async () => {
    const record = new RmqRecordBuilder({ orderId: 'o-1' })
      .setOptions({ messageId: 'm-1', headers: { 'x-causation-id': 'c-0' } })
      .build();

    await lastValueFrom(client.emit('order.placed', record), { defaultValue: undefined });

    expect(publish).toHaveBeenCalledTimes(1);
    const [exchange, routingKey, content, options] = publish.mock.calls[0];
    expect(exchange).toBe('t.events');
    expect(routingKey).toBe('order.placed');
    expect(JSON.parse(String(content))).toEqual({
      pattern: 'order.placed',
      data: { orderId: 'o-1' },
    });
    // What the bench and the tests publish in the apps' stead is the same bytes.
    expect(content).toEqual(encodePacket('order.placed', { orderId: 'o-1' }));
    expect(options).toEqual({
      persistent: true,
      mandatory: true,
      messageId: 'm-1',
      headers: { 'x-causation-id': 'c-0' },
    });
  });

  it('fails the emit when the broker refuses the message', async () => {
    publish.mockImplementationOnce(() => Promise.reject(new Error('NACK')));

    await expect(
      lastValueFrom(client.emit('order.placed', { orderId: 'o-2' }), { defaultValue: undefined }),
    ).rejects.toThrow('NACK');
  });

  it('publishEvent publishes the same packet, dropped at the deadline if unsent, and resolves once confirmed', async () => {
    const record = new RmqRecordBuilder({ orderId: 'o-3' })
      .setOptions({ messageId: 'm-3' })
      .build();

    await client.publishEvent('order.placed', record, 1000);

    const [exchange, routingKey, content, options] = publish.mock.calls[0];
    expect([exchange, routingKey]).toEqual(['t.events', 'order.placed']);
    expect(JSON.parse(String(content))).toEqual({
      pattern: 'order.placed',
      data: { orderId: 'o-3' },
    });
    expect(options).toEqual({
      persistent: true,
      mandatory: true,
      messageId: 'm-3',
      timeout: 1000,
    });
  });

  it('publishEvent rejects when the broker refuses or does not confirm in time', async () => {
    publish.mockImplementationOnce(() => Promise.reject(new Error('NACK')));
    await expect(client.publishEvent('order.placed', { orderId: 'o-4' }, 1000)).rejects.toThrow(
      'NACK',
    );

    publish.mockImplementationOnce(() => new Promise(() => undefined));
    await expect(client.publishEvent('order.placed', { orderId: 'o-5' }, 20)).rejects.toThrow(
      'not confirmed within 20 ms',
    );
  });

  it('refuses to be built without an exchange to publish to', () => {
    expect(() => new ShopRmqClient({ urls: ['amqp://unused'] })).toThrow(/exchange/);
  });

  it('gives amqp-connection-manager the publish timeout, so it drops what it could not send', async () => {
    const timed = new ShopRmqClient(
      rmqClientOptions({ url: 'amqp://unused', namespace: 't' }),
      250,
    );
    Object.assign(timed, { channel: { publish } });

    await lastValueFrom(timed.emit('order.placed', { orderId: 'o-3' }), {
      defaultValue: undefined,
    });

    expect(publish.mock.calls[0][3]).toMatchObject({ persistent: true, timeout: 250 });
  });

  it('once its channel exists, lets an emit wait through a reconnection instead of failing it', async () => {
    const reconnecting = new ShopRmqClient(
      rmqClientOptions({ url: 'amqp://unused', namespace: 't' }),
    );
    // What Nest's client holds after a disconnect: a rejected connection promise.
    Object.assign(reconnecting, {
      client: {},
      channel: { publish },
      connectionPromise: Promise.reject(new Error('Connection lost. Trying to reconnect...')),
    });
    (reconnecting as unknown as { connectionPromise: Promise<void> }).connectionPromise.catch(
      () => undefined,
    );

    await lastValueFrom(reconnecting.emit('order.placed', { orderId: 'o-4' }), {
      defaultValue: undefined,
    });

    expect(publish).toHaveBeenCalledTimes(1);
  }, 5_000);
});
