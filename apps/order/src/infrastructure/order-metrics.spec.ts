import { Metrics } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { Order } from '../domain/order';
import { InMemoryOrderRepository } from './in-memory-order.repository';
import { OrderMetrics } from './order-metrics';

describe('OrderMetrics', () => {
  let metrics: Metrics;
  let orders: InMemoryOrderRepository;

  beforeEach(() => {
    metrics = new Metrics('order');
    orders = new InMemoryOrderRepository();
    new OrderMetrics(metrics, orders).onModuleInit();
  });
  afterEach(() => metrics.onModuleDestroy());

  const place = (customer: string) =>
    Order.place({
      id: randomUUID(),
      customer,
      items: [{ drink: 'latte', size: 'small', quantity: 1 }],
      correlationId: customer,
      at: new Date('2025-01-01T10:00:00.000Z'),
    });
  const scrape = async () =>
    (await metrics.registry.metrics()).split('\n').filter((line) => line.startsWith('shop_orders'));

  it('counts the stored orders by status when scraped, every status shown', async () => {
    expect(await scrape()).toEqual([
      'shop_orders{status="placed",service="order"} 0',
      'shop_orders{status="brewing",service="order"} 0',
      'shop_orders{status="ready",service="order"} 0',
      'shop_orders{status="failed",service="order"} 0',
    ]);

    const [a, b] = [place('a'), place('b')];
    a.markReady('2025-01-01T10:00:01.000Z', '2025-01-01T10:00:02.000Z');
    orders.put(a);
    orders.put(b);

    expect(await scrape()).toEqual([
      'shop_orders{status="placed",service="order"} 1',
      'shop_orders{status="brewing",service="order"} 0',
      'shop_orders{status="ready",service="order"} 1',
      'shop_orders{status="failed",service="order"} 0',
    ]);
  });
});
