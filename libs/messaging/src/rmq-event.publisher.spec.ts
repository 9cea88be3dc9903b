import { envelope, EventTypes, type OrderPlaced } from '@app/contracts';
import { Metrics } from '@app/platform';
import { PublishFailedError, RmqEventPublisher } from './rmq-event.publisher';
import type { ShopRmqClient } from './shop-rmq.client';

describe('RmqEventPublisher metrics', () => {
  let metrics: Metrics;

  beforeEach(() => (metrics = new Metrics('order')));
  afterEach(() => metrics.onModuleDestroy());

  const event = () =>
    envelope<OrderPlaced>(
      EventTypes.OrderPlaced,
      { orderId: 'o-1', customer: 'Ada', items: [], placedAt: '2025-01-01T10:00:00.000Z' },
      { correlationId: 'c-1' },
    );
  const published = async () =>
    (await metrics.registry.metrics())
      .split('\n')
      .filter((line) => line.startsWith('shop_messages_published_total'));

  it('counts an event once the broker confirmed it, by routing key', async () => {
    const client = { publishEvent: jest.fn().mockResolvedValue(undefined) };
    const publisher = new RmqEventPublisher(client as unknown as ShopRmqClient, 100, metrics);

    await publisher.publish(event());
    await publisher.publish(event());

    expect(client.publishEvent).toHaveBeenCalledTimes(2);
    expect(await published()).toEqual([
      'shop_messages_published_total{event="order.placed",service="order"} 2',
    ]);
  });

  it('does not count an event the broker did not confirm', async () => {
    const client = { publishEvent: jest.fn().mockRejectedValue(new Error('nack')) };
    const publisher = new RmqEventPublisher(client as unknown as ShopRmqClient, 100, metrics);

    await expect(publisher.publish(event())).rejects.toBeInstanceOf(PublishFailedError);
    expect(await published()).toEqual([]);
  });
});
