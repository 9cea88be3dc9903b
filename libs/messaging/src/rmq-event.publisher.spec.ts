import { envelope, EventTypes, type OrderPlaced } from '@app/contracts';
import { Metrics } from '@app/platform';
import { messageHeaders, PublishFailedError, RmqEventPublisher } from './rmq-event.publisher';
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

describe('RmqEventPublisher headers', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

  it("carries the event's trace context and ids as AMQP headers", async () => {
    const event = envelope<OrderPlaced>(
      EventTypes.OrderPlaced,
      { orderId: 'o-1', customer: 'Ada', items: [], placedAt: '2025-01-01T10:00:00.000Z' },
      { correlationId: 'c-1', causationId: 'm-0', traceparent: `00-${TRACE}-00f067aa0ba902b7-01` },
    );
    const client = { publishEvent: jest.fn().mockResolvedValue(undefined) };
    const publisher = new RmqEventPublisher(client as unknown as ShopRmqClient, 100);

    await publisher.publish(event);

    const [, record] = client.publishEvent.mock.calls[0] as [string, { options: unknown }];
    expect(record.options).toMatchObject({
      correlationId: 'c-1',
      headers: {
        traceparent: event.traceparent,
        'x-correlation-id': 'c-1',
        'x-causation-id': 'm-0',
      },
    });
    expect(event.traceparent).toContain(TRACE);
  });

  it('sends no traceparent header for an event stored before tracing', () => {
    const { traceparent: _, ...stored } = envelope<OrderPlaced>(
      EventTypes.OrderPlaced,
      { orderId: 'o-1', customer: 'Ada', items: [], placedAt: '2025-01-01T10:00:00.000Z' },
      { correlationId: 'c-1' },
    );
    expect(messageHeaders(stored as OrderPlaced)).toEqual({ 'x-correlation-id': 'c-1' });
  });
});
