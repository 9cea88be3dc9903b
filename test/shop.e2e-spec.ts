import { DeadLetterHeaders, topology } from '@app/messaging';
import { Broker } from './support/amqp';
import { anOrder, BuzzListener, eventually, get, post } from './support/client';
import { Shop } from './support/shop';

type OrderBody = { id: string; status: string; history: { status: string; at: string }[] };
type FailureBody = { hop: string; message: string; orderId: string };

const TRANSPORTS = [
  { transport: 'http', accepted: 201, acceptedStatus: 'ready' },
  { transport: 'rmq', accepted: 202, acceptedStatus: 'placed' },
] as const;

describe.each(TRANSPORTS)(
  'the coffee shop over $transport',
  ({ transport, accepted, acceptedStatus }) => {
    let shop: Shop;
    let buzzes: BuzzListener;

    beforeAll(async () => {
      shop = await Shop.start({ transport, brewMs: 20, machines: 4 });
      buzzes = await BuzzListener.follow(shop.pagerUrl);
    });

    afterAll(async () => {
      await buzzes?.close();
      await shop?.close();
    });

    const readyOrder = (id: string) =>
      eventually(`order ${id} to be ready`, async () => {
        const { body } = await get<OrderBody>(`${shop.orderUrl}/orders/${id}`);
        return body.status === 'ready' ? body : undefined;
      });

    /** One poll of the list for many orders, rather than a poller per order. */
    const allReady = (ids: readonly string[]) =>
      eventually(`${ids.length} orders to be ready`, async () => {
        const { body } = await get<{ orders: OrderBody[] }>(
          `${shop.orderUrl}/orders?status=ready&limit=1000`,
        );
        const ready = new Set(body.orders.map((order) => order.id));
        return ids.every((id) => ready.has(id)) ? true : undefined;
      });

    const buzzedOnce = (id: string) =>
      eventually(`order ${id} to be buzzed`, () =>
        Promise.resolve(buzzes.count(id) > 0 ? buzzes.count(id) : undefined),
      );

    it('takes an order through placed → brewing → ready and buzzes the pager once', async () => {
      const placed = await post<OrderBody>(`${shop.orderUrl}/orders`, anOrder('Grace'), {
        'x-correlation-id': `happy-${transport}`,
      });

      expect(placed.status).toBe(accepted);
      expect(placed.body.status).toBe(acceptedStatus);
      expect(placed.headers.get('x-correlation-id')).toBe(`happy-${transport}`);
      expect(placed.headers.get('location')).toBe(`/orders/${placed.body.id}`);

      const order = await readyOrder(placed.body.id);
      expect(order.history.map((change) => change.status)).toEqual(['placed', 'brewing', 'ready']);
      const times = order.history.map((change) => Date.parse(change.at));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
      expect(order).toMatchObject({ customer: 'Grace', correlationId: `happy-${transport}` });

      expect(await buzzedOnce(placed.body.id)).toBe(1);
      const buzz = await get(`${shop.pagerUrl}/buzzes/${placed.body.id}`);
      expect(buzz.status).toBe(200);
      expect(buzz.body).toMatchObject({ customer: 'Grace', correlationId: `happy-${transport}` });
    });

    it('completes 50 concurrent orders, each buzzed exactly once', async () => {
      const placed = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          post<OrderBody>(`${shop.orderUrl}/orders`, anOrder(`c${i}`)),
        ),
      );
      expect(placed.map((reply) => reply.status)).toEqual(Array(50).fill(accepted));
      const ids = placed.map((reply) => reply.body.id);
      expect(new Set(ids).size).toBe(50);

      await buzzes.waitFor(ids);
      await allReady(ids);
      expect(ids.map((id) => buzzes.count(id))).toEqual(Array(50).fill(1));
    });

    it('answers 400 naming the offending fields, and refuses unknown fields', async () => {
      const bad = await post(`${shop.orderUrl}/orders`, {
        customer: ' ',
        items: [{ drink: 'tea', size: 'huge', quantity: 0 }],
        discount: 100,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.fields).toEqual(
        expect.arrayContaining([
          'customer',
          'items.0.drink',
          'items.0.size',
          'items.0.quantity',
          'discount',
        ]),
      );

      const tooMany = await post(`${shop.orderUrl}/orders`, {
        customer: 'Ada',
        items: Array(11).fill({ drink: 'latte', size: 'small', quantity: 1 }),
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.fields).toEqual(['items']);

      const noItems = await post(`${shop.orderUrl}/orders`, { customer: 'Ada', items: [] });
      expect(noItems.status).toBe(400);

      const notJson = await post(`${shop.orderUrl}/orders`, '{"customer":');
      expect(notJson.status).toBe(400);

      const deep = await post(
        `${shop.orderUrl}/orders`,
        `{"customer":"Ada","items":[],"x":${'['.repeat(2000)}${']'.repeat(2000)}}`,
      );
      expect(deep.status).toBe(400);
      expect(deep.body.message).toBe('the JSON is nested deeper than 32 levels (BODY_MAX_DEPTH)');

      const text = await post(`${shop.orderUrl}/orders`, JSON.stringify(anOrder()), {
        'content-type': 'text/plain',
      });
      expect(text.status).toBe(415);
      expect(text.body.message).toMatch(/^Unsupported Media Type: text\/plain/);

      const huge = await post(`${shop.orderUrl}/orders`, {
        customer: 'x'.repeat(100_000),
        items: [],
      });
      expect(huge.status).toBe(413);

      const { body } = await get<{ total: number; orders: OrderBody[] }>(
        `${shop.orderUrl}/orders?limit=1000`,
      );
      expect(body.orders.some((order) => order.status === 'failed')).toBe(false);
    });

    it('rejects a malformed message and still completes the next good order', async () => {
      if (transport === 'rmq') {
        const broker = await Broker.connect();
        try {
          await broker.publishRaw(shop.namespace, 'order.placed', 'this is not JSON', {
            messageId: 'm-1',
          });
          await broker.publishRaw(
            shop.namespace,
            'order.placed',
            JSON.stringify({ pattern: 'order.placed', data: { type: 'order.placed', data: {} } }),
            { messageId: 'm-2' },
          );
          // Nested past what validation can walk: dead-lettered unread, never retried.
          await broker.publishRaw(
            shop.namespace,
            'order.placed',
            `{"pattern":"order.placed","data":{"x":${'['.repeat(2000)}${']'.repeat(2000)}}}`,
            { messageId: 'm-3' },
          );
          const letters = await eventually('the three messages to be dead-lettered', async () => {
            const queue = topology(shop.namespace).deadLetterQueue;
            return (await broker.messageCount(queue)) >= 3
              ? broker.drainDeadLetters(shop.namespace)
              : undefined;
          });
          expect(letters).toHaveLength(3);
          const reasons = letters.map((letter) => String(letter.headers[DeadLetterHeaders.Reason]));
          expect(reasons[0]).toMatch(/not JSON/);
          expect(reasons[1]).toMatch(/invalid message: .*messageId/);
          expect(reasons[2]).toBe(
            'invalid: the JSON is nested deeper than 32 levels (BODY_MAX_DEPTH)',
          );
          expect(letters[2].headers[DeadLetterHeaders.Attempts]).toBe(0);
          expect(letters.map((letter) => letter.headers[DeadLetterHeaders.Queue])).toEqual([
            topology(shop.namespace).queue('barista'),
            topology(shop.namespace).queue('barista'),
            topology(shop.namespace).queue('barista'),
          ]);
          expect(letters[0].routingKey).toBe('order.placed');
        } finally {
          await broker.close();
        }
      } else {
        const refused = await post(`${shop.baristaUrl}/brews`, { type: 'order.placed', data: {} });
        expect(refused.status).toBe(400);
        expect(refused.body.message.join(' ')).toMatch(/messageId/);
        const deep = await post(
          `${shop.baristaUrl}/brews`,
          `{"type":"order.placed","data":{"x":${'['.repeat(2000)}${']'.repeat(2000)}}}`,
        );
        expect(deep.status).toBe(400);
        expect(deep.body.message).toMatch(/nested deeper than 32 levels/);
      }

      const next = await post<OrderBody>(`${shop.orderUrl}/orders`, anOrder('After'));
      expect(next.status).toBe(accepted);
      await readyOrder(next.body.id);
      expect(await buzzedOnce(next.body.id)).toBe(1);
    });

    it(
      transport === 'rmq'
        ? 'keeps taking orders while barista is down and brews them once it is back'
        : 'tells the client at once that barista is down, naming the hop',
      async () => {
        await shop.stopBarista();
        try {
          const placed = await Promise.all(
            Array.from({ length: 5 }, (_, i) =>
              post<OrderBody & FailureBody>(`${shop.orderUrl}/orders`, anOrder(`down${i}`)),
            ),
          );
          if (transport === 'rmq') {
            expect(placed.map((reply) => reply.status)).toEqual(Array(5).fill(202));
            await eventually('the orders to wait in the barista queue', async () =>
              (await countQueued(shop)) === 5 ? true : undefined,
            );
            for (const { body } of placed) {
              expect((await get<OrderBody>(`${shop.orderUrl}/orders/${body.id}`)).body.status).toBe(
                'placed',
              );
            }
            await shop.startBarista();
            const ids = placed.map((reply) => reply.body.id);
            await buzzes.waitFor(ids);
            await allReady(ids);
            expect(placed.map((reply) => buzzes.count(reply.body.id))).toEqual(Array(5).fill(1));
          } else {
            for (const reply of placed) {
              expect(reply.status).toBe(503);
              expect(reply.body).toMatchObject({ hop: 'barista', orderId: expect.any(String) });
              expect(reply.body.message).toMatch(/barista refused the connection/);
              const order = await get<OrderBody>(`${shop.orderUrl}/orders/${reply.body.orderId}`);
              expect(order.body.status).toBe('failed');
            }
          }
        } finally {
          await shop.startBarista().catch(() => undefined);
        }
      },
    );
  },
);

async function countQueued(shop: Shop): Promise<number> {
  const broker = await Broker.connect();
  try {
    return await broker.messageCount(topology(shop.namespace).queue('barista'));
  } finally {
    await broker.close();
  }
}

describe('a slow barista under http', () => {
  let shop: Shop;

  beforeAll(async () => {
    shop = await Shop.start({
      transport: 'http',
      brewMs: 5_000,
      machines: 1,
      baristaTimeoutMs: 300,
    });
  });

  afterAll(async () => {
    // Barista goes on brewing after order gave up (that is the point): let it finish first.
    await eventually('the abandoned brew to finish', async () => {
      const { body } = await get<{ busy: number }>(`${shop.baristaUrl}/brews`);
      return body.busy === 0 ? true : undefined;
    });
    await shop?.close();
  });

  it('answers 504 naming barista within the timeout instead of hanging', async () => {
    const started = Date.now();
    const reply = await post(`${shop.orderUrl}/orders`, anOrder('Patient'));
    expect(reply.status).toBe(504);
    expect(reply.body).toMatchObject({ hop: 'barista', error: 'Gateway Timeout' });
    expect(reply.body.message).toMatch(/did not answer within 300 ms/);
    // Not a speed assertion: the answer must come from the 300 ms deadline, not the 2 s brew.
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
