import { Metrics } from '@app/platform';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { HopFailedError } from '../application/ports/hop-failed.error';
import { Order } from '../domain/order';
import { DownstreamCalls } from './downstream-calls';
import { Deadline, Defences } from './http-defences';
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

describe('OrderMetrics: shop_circuit_state', () => {
  let metrics: Metrics;
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => metrics.onModuleDestroy());

  const breaker = { ratio: 0.5, window: 2, minCalls: 2, cooldownMs: 60_000 };
  const circuitLines = async () =>
    (await metrics.registry.metrics())
      .split('\n')
      .filter((line) => line.startsWith('shop_circuit_state'));

  it("reports each callee's circuit as it is when scraped, and none without a breaker", async () => {
    metrics = new Metrics('order');
    const calls = new DownstreamCalls();
    const barista = new Defences('barista', { retries: 0, retryBaseMs: 1, breaker });
    calls.register('barista', barista);
    calls.register('pager', new Defences('pager', { retries: 0, retryBaseMs: 1, breaker }));
    new OrderMetrics(metrics, new InMemoryOrderRepository(), undefined, calls).onModuleInit();

    expect(await circuitLines()).toEqual([
      'shop_circuit_state{callee="barista",service="order"} 0',
      'shop_circuit_state{callee="pager",service="order"} 0',
    ]);

    const down = () => Promise.reject(new HopFailedError('barista', 'unavailable', 'refused'));
    for (let i = 0; i < 2; i++) {
      await expect(barista.call(down, new Deadline(1000))).rejects.toThrow(HopFailedError);
    }
    expect(barista.state).toBe('open');
    expect(await circuitLines()).toEqual([
      'shop_circuit_state{callee="barista",service="order"} 2',
      'shop_circuit_state{callee="pager",service="order"} 0',
    ]);
  });

  it('has no series when the breakers are off or order calls nobody (rmq)', async () => {
    metrics = new Metrics('order');
    const calls = new DownstreamCalls();
    calls.register(
      'barista',
      new Defences('barista', { retries: 0, retryBaseMs: 1, breaker: null }),
    );
    new OrderMetrics(metrics, new InMemoryOrderRepository(), undefined, calls).onModuleInit();
    expect(await circuitLines()).toEqual([]);
  });
});
