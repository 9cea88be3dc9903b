import { topology } from '@app/messaging';
import { anOrder, eventually, get, post } from './support/client';
import { type Sample, samplesOf, scrape, valueOf } from './support/metrics';
import { Shop } from './support/shop';

const TRANSPORTS = [
  { transport: 'http', accepted: 201 },
  { transport: 'rmq', accepted: 202 },
] as const;

describe.each(TRANSPORTS)('GET /metrics over $transport', ({ transport, accepted }) => {
  let shop: Shop;
  let orderId: string;

  beforeAll(async () => {
    // A breaker that opens after two failed calls and stays open while the test scrapes it.
    const breaker = { HTTP_RETRIES: '0', HTTP_BREAKER_WINDOW: '2', HTTP_BREAKER_MIN_CALLS: '2' };
    shop = await Shop.start({
      transport,
      brewMs: 5,
      machines: 2,
      env: { ...breaker, HTTP_BREAKER_COOLDOWN_MS: '600000' },
    });
    const placed = await post<{ id: string }>(`${shop.orderUrl}/orders`, anOrder('Metra'));
    expect(placed.status).toBe(accepted);
    orderId = placed.body.id;
    await eventually(`order ${orderId} to be ready and buzzed`, async () => {
      const order = await get<{ status: string }>(`${shop.orderUrl}/orders/${orderId}`);
      const buzz = await get(`${shop.pagerUrl}/buzzes/${orderId}`);
      return order.body.status === 'ready' && buzz.status === 200 ? true : undefined;
    });
  });

  afterAll(async () => {
    await shop?.close();
  });

  it('counts the orders by status in the order app', async () => {
    const samples = await scrape(shop.orderUrl);
    expect(valueOf(samples, 'shop_orders', { status: 'ready' })).toBe(1);
    for (const status of ['placed', 'brewing', 'failed']) {
      expect(valueOf(samples, 'shop_orders', { status })).toBe(0);
    }
  });

  it.each(['order', 'barista', 'pager'] as const)(
    "exposes %s's process figures, labelled with the service",
    async (service) => {
      const samples = await scrape(urlOf(service));
      for (const name of [
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_heap_size_used_bytes',
        'nodejs_heap_size_total_bytes',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(valueOf(samples, name, { service })).toBeGreaterThan(name.includes('lag') ? -1 : 0);
      }
      expect(samplesOf(samples, 'nodejs_heap_used_after_major_gc_bytes')).toHaveLength(1);
    },
  );

  it('times the order request by route pattern and status, and never /metrics itself', async () => {
    await get(`${shop.orderUrl}/orders/${orderId}`);
    await scrape(shop.orderUrl);
    const samples = await scrape(shop.orderUrl);
    const count = (labels: Record<string, string>) =>
      valueOf(samples, 'http_request_duration_seconds_count', labels);
    expect(count({ method: 'POST', route: '/orders', status: String(accepted) })).toBe(1);
    expect(count({ method: 'GET', route: '/orders/:id', status: '200' })).toBeGreaterThanOrEqual(2);
    const routes = samplesOf(samples, 'http_request_duration_seconds_count').map(
      (sample) => sample.labels.route,
    );
    expect(routes).not.toContain('/metrics');
    expect(routes.some((route) => route.includes(orderId))).toBe(false);
  });

  if (transport === 'http') {
    it('times the hops order made to barista and pager', async () => {
      const barista = await scrape(shop.baristaUrl);
      const pager = await scrape(shop.pagerUrl);
      expect(totalCount(barista, { method: 'POST', status: '200' })).toBeGreaterThanOrEqual(1);
      expect(totalCount(pager, { method: 'POST' })).toBeGreaterThanOrEqual(1);
    });

    // Last of its suite: it leaves barista's circuit open (barista itself is started again).
    it("shows each callee's circuit: closed, then open once barista stopped answering", async () => {
      const before = await scrape(shop.orderUrl);
      expect(valueOf(before, 'shop_circuit_state', { callee: 'barista' })).toBe(0);
      expect(valueOf(before, 'shop_circuit_state', { callee: 'pager' })).toBe(0);

      await shop.stopBarista();
      try {
        for (const customer of ['Cira', 'Cuno']) {
          const refused = await post(`${shop.orderUrl}/orders`, anOrder(customer));
          expect(refused.status).toBe(503);
        }
        const after = await scrape(shop.orderUrl);
        expect(valueOf(after, 'shop_circuit_state', { callee: 'barista' })).toBe(2);
        expect(valueOf(after, 'shop_circuit_state', { callee: 'pager' })).toBe(0);
      } finally {
        await shop.startBarista();
      }
    });
  }

  if (transport === 'rmq') {
    it('counts the messages each app consumed, handled and published', async () => {
      const names = topology(shop.namespace);
      const barista = await scrape(shop.baristaUrl);
      const order = await scrape(shop.orderUrl);
      const pager = await scrape(shop.pagerUrl);

      const baristaQueue = names.queue('barista');
      expect(valueOf(barista, 'shop_messages_consumed_total', { queue: baristaQueue })).toBe(1);
      expect(valueOf(barista, 'shop_messages_published_total', { event: 'coffee.brewed' })).toBe(1);
      expect(valueOf(order, 'shop_messages_published_total', { event: 'order.placed' })).toBe(1);
      expect(
        valueOf(order, 'shop_messages_consumed_total', { queue: names.queue('order') }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        valueOf(pager, 'shop_message_handler_duration_seconds_count', {
          pattern: 'coffee.brewed',
          outcome: 'ack',
        }),
      ).toBe(1);
      expect(samplesOf(pager, 'shop_messages_dead_lettered_total')).toHaveLength(0);
    });

    it("reports the depth and consumers of the app's own queue", async () => {
      const samples = await scrape(shop.baristaUrl);
      const queue = topology(shop.namespace).queue('barista');
      expect(valueOf(samples, 'shop_queue_consumers', { queue })).toBe(1);
      expect(valueOf(samples, 'shop_queue_messages', { queue })).toBe(0);
      // The broker's Prometheus plugin owns rabbitmq_*; the app never serves a series of its own there.
      expect(samples.filter((sample) => sample.name.startsWith('rabbitmq_'))).toEqual([]);
      expect(samplesOf(samples, 'shop_circuit_state')).toEqual([]);
    });
  }

  function urlOf(service: 'order' | 'barista' | 'pager'): string {
    return { order: shop.orderUrl, barista: shop.baristaUrl, pager: shop.pagerUrl }[service];
  }
});

/** Requests counted across every route matching `labels`. */
function totalCount(samples: readonly Sample[], labels: Record<string, string>): number {
  return samplesOf(samples, 'http_request_duration_seconds_count', labels).reduce(
    (sum, sample) => sum + sample.value,
    0,
  );
}
