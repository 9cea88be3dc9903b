import { envelope, EventTypes, HttpHeaders, type OrderPlaced } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { BaristaProxy } from './support/barista-proxy';
import { anOrder, BuzzListener, eventually, get, post, type Reply } from './support/client';
import { Shop } from './support/shop';

// Order's defences of its calls under TRANSPORT=http (retries, circuit breaker, idempotency
// key), against the real apps on real ports, with a proxy between order and barista that counts
// order's calls and can play a flaky barista.

type OrderBody = { id: string; status: string };
type FailureBody = { hop: string; message: string; orderId: string };
type BrewsBody = { total: number; brews: { data: { orderId: string } }[] };

const CIRCUIT_OPEN = /^barista not called: its circuit is open/;

async function startShop(env: NodeJS.ProcessEnv): Promise<{ shop: Shop; proxy: BaristaProxy }> {
  const proxy = await BaristaProxy.start();
  try {
    const shop = await Shop.start({
      transport: 'http',
      brewMs: 5,
      machines: 8,
      orderBaristaUrl: proxy.url,
      env,
    });
    proxy.target = shop.baristaUrl;
    return { shop, proxy };
  } catch (error) {
    await proxy.close();
    throw error;
  }
}

const placeOrder = (shop: Shop, customer: string) =>
  post<OrderBody & FailureBody>(`${shop.orderUrl}/orders`, anOrder(customer));

/** How many times barista brewed each order (its own log, not order's word for it). */
async function brewsPerOrder(shop: Shop): Promise<Map<string, number>> {
  const { body } = await get<BrewsBody>(`${shop.baristaUrl}/brews?limit=1000`);
  const counts = new Map<string, number>();
  for (const brew of body.brews) {
    counts.set(brew.data.orderId, (counts.get(brew.data.orderId) ?? 0) + 1);
  }
  return counts;
}

function expectFailedAtBarista(reply: Reply<FailureBody>, message: RegExp): void {
  expect({ status: reply.status, hop: reply.body.hop }).toEqual({ status: 503, hop: 'barista' });
  expect(reply.body.message).toMatch(message);
  expect(reply.body.orderId).toEqual(expect.any(String));
}

describe('the sync shop with its defences on (http)', () => {
  let shop: Shop;
  let proxy: BaristaProxy;
  let buzzes: BuzzListener;

  beforeAll(async () => {
    ({ shop, proxy } = await startShop({
      HTTP_RETRIES: '2',
      HTTP_RETRY_BASE_MS: '20',
      HTTP_BREAKER_WINDOW: '4',
      HTTP_BREAKER_MIN_CALLS: '4',
      HTTP_BREAKER_COOLDOWN_MS: '1000',
    }));
    buzzes = await BuzzListener.follow(shop.pagerUrl);
  });

  afterAll(async () => {
    await buzzes?.close();
    await shop?.close();
    await proxy?.close();
  });

  beforeEach(() => {
    proxy.failFirstCallPerOrder = false;
  });

  it('sends the order id as Idempotency-Key with every call to barista', async () => {
    const placed = await placeOrder(shop, 'Key');
    expect(placed.status).toBe(201);
    expect(proxy.callsFor(placed.body.id)).toEqual([
      { path: '/brews', idempotencyKey: placed.body.id, outcome: 'forwarded' },
    ]);
  });

  it('a flaky barista (the first call of every order fails): retries complete every order, each brewed and buzzed once', async () => {
    proxy.failFirstCallPerOrder = true;

    const placed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => placeOrder(shop, `flaky${i}`)),
    );

    expect(placed.map((reply) => reply.status)).toEqual(Array(20).fill(201));
    const ids = placed.map((reply) => reply.body.id);
    for (const id of ids) {
      expect(proxy.callsFor(id).map((call) => call.outcome)).toEqual(['failed-first', 'forwarded']);
    }
    await buzzes.waitFor(ids);
    const brewed = await brewsPerOrder(shop);
    expect(ids.map((id) => [brewed.get(id), buzzes.count(id)])).toEqual(Array(20).fill([1, 1]));
  });

  it('barista stopped: after a few failures the breaker fails orders at once without calling barista; barista back: orders complete again', async () => {
    await shop.stopBarista();
    try {
      // Until the circuit opens, each order tries barista (with its retries) and fails.
      const failures: Reply<FailureBody>[] = [];
      for (let i = 0; i < 8; i++) {
        const reply = await placeOrder(shop, `down${i}`);
        failures.push(reply);
        if (CIRCUIT_OPEN.test(reply.body.message)) break;
      }
      const last = failures.at(-1);
      expect(last && CIRCUIT_OPEN.test(last.body.message)).toBe(true);
      // The window holds 4 calls: it cannot take more than 4 failed orders to open.
      expect(failures.length).toBeLessThanOrEqual(5);
      for (const reply of failures.slice(0, -1)) {
        expectFailedAtBarista(reply, /^barista answered 502$/);
        expect(proxy.callsFor(reply.body.orderId).map((call) => call.outcome)).toEqual([
          'barista-down',
          'barista-down',
          'barista-down',
        ]);
      }

      // Open: every order fails at once, with the same 503 naming barista, and nothing reaches it.
      const callsBefore = proxy.calls.length;
      const fast = await Promise.all(
        Array.from({ length: 10 }, (_, i) => placeOrder(shop, `fast${i}`)),
      );
      for (const reply of fast) {
        expectFailedAtBarista(reply, CIRCUIT_OPEN);
        expect(reply.body.message).toMatch(/barista answered 502/);
        const order = await get<OrderBody>(`${shop.orderUrl}/orders/${reply.body.orderId}`);
        expect(order.body.status).toBe('failed');
      }
      // (Should the 1 s cool-down have passed meanwhile, one order probed barista: 3 calls at most.)
      expect(proxy.calls.length - callsBefore).toBeLessThanOrEqual(3);
      // Order's own account of it: GET /downstreams.
      const { body: downstreams } = await get<Record<string, Record<string, unknown>>>(
        `${shop.orderUrl}/downstreams`,
      );
      expect(downstreams.barista).toMatchObject({ circuit: 'open' });
      expect(downstreams.barista.failedFast).toEqual(expect.any(Number));
      expect(Number(downstreams.barista.failedFast)).toBeGreaterThanOrEqual(10);
    } finally {
      await shop.startBarista();
    }

    // After the cool-down one order probes barista, the circuit closes, and orders complete.
    const recovered = await eventually('an order to complete after the restart', async () => {
      const reply = await placeOrder(shop, 'back');
      return reply.status === 201 ? reply : undefined;
    });
    expect(recovered.body.status).toBe('ready');
    const after = await Promise.all(
      Array.from({ length: 5 }, (_, i) => placeOrder(shop, `after${i}`)),
    );
    expect(after.map((reply) => reply.status)).toEqual(Array(5).fill(201));
    await buzzes.waitFor([recovered.body.id, ...after.map((reply) => reply.body.id)]);
  });

  it('barista and pager hold to the Idempotency-Key: a repeat is done once, a key naming another order is refused', async () => {
    const orderId = randomUUID();
    const order = envelope<OrderPlaced>(
      EventTypes.OrderPlaced,
      {
        orderId,
        customer: 'Twice',
        items: [{ drink: 'mocha', size: 'small', quantity: 1 }],
        placedAt: new Date().toISOString(),
      },
      { correlationId: `idem-${orderId}` },
    );
    const key = { [HttpHeaders.IdempotencyKey]: orderId };

    const first = await post(`${shop.baristaUrl}/brews`, order, key);
    const again = await post(`${shop.baristaUrl}/brews`, order, key);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.body).toEqual(first.body);
    expect((await brewsPerOrder(shop)).get(orderId)).toBe(1);

    const wrongKey = { [HttpHeaders.IdempotencyKey]: randomUUID() };
    const refused = await post(`${shop.baristaUrl}/brews`, order, wrongKey);
    expect(refused.status).toBe(400);
    expect(refused.body.message.join(' ')).toMatch(/idempotency-key must be the order id/);

    const buzz = await post(`${shop.pagerUrl}/buzzes`, first.body, key);
    const buzzAgain = await post(`${shop.pagerUrl}/buzzes`, first.body, key);
    expect([buzz.status, buzzAgain.status]).toEqual([201, 200]);
    expect((await post(`${shop.pagerUrl}/buzzes`, first.body, wrongKey)).status).toBe(400);
    await buzzes.waitFor([orderId]);
    expect(buzzes.count(orderId)).toBe(1);
  });
});

describe('the sync shop with HTTP_DEFENCES=off', () => {
  let shop: Shop;
  let proxy: BaristaProxy;

  beforeAll(async () => {
    ({ shop, proxy } = await startShop({ HTTP_DEFENCES: 'off', HTTP_BREAKER_MIN_CALLS: '2' }));
  });

  afterAll(async () => {
    await shop?.close();
    await proxy?.close();
  });

  it('fails every order of a flaky barista: one call each, no retry', async () => {
    proxy.failFirstCallPerOrder = true;
    const placed = await Promise.all(
      Array.from({ length: 5 }, (_, i) => placeOrder(shop, `flaky${i}`)),
    );
    for (const reply of placed) {
      expectFailedAtBarista(reply, /^barista answered 503$/);
      expect(proxy.callsFor(reply.body.orderId)).toHaveLength(1);
    }
    proxy.failFirstCallPerOrder = false;
  });

  it('with barista stopped, calls it for every order: nothing stops the calls', async () => {
    await shop.stopBarista();
    try {
      const callsBefore = proxy.calls.length;
      for (let i = 0; i < 6; i++) {
        expectFailedAtBarista(await placeOrder(shop, `down${i}`), /^barista answered 502$/);
      }
      expect(proxy.calls.length - callsBefore).toBe(6);
    } finally {
      await shop.startBarista();
    }
  });
});
