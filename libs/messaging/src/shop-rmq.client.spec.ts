import 'reflect-metadata';
import { RmqRecordBuilder } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
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
    expect(options).toEqual({
      persistent: true,
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

  it('publishEvent publishes the same packet and resolves once confirmed', async () => {
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
    expect(options).toEqual({ persistent: true, messageId: 'm-3' });
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
});
