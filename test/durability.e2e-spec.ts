import { EventTypes, type CoffeeBrewed, type OrderPlaced } from '@app/contracts';
import { Outbox, ProcessedMessages, SqliteDatabase } from '@app/storage';
import { AMQP_URL, Broker, type Tapped } from './support/amqp';
import { anOrder, BuzzListener, eventually, get, post } from './support/client';
import { TcpLink } from './support/link';
import { countRows, E2E_DATABASE_URL, schemaPrefix } from './support/store-schemas';
import { Shop } from './support/shop';

type OrderBody = {
  id: string;
  customer: string;
  items: OrderPlaced['data']['items'];
  status: string;
  correlationId: string;
  history: { status: string; at: string }[];
};
type BrewsBody = { total: number; brews: CoffeeBrewed[] };
type BuzzesBody = { total: number; buzzes: { orderId: string; buzzedAt: string }[] };

const placeOrders = async (shop: Shop, count: number, who: string) => {
  const replies = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      post<OrderBody>(`${shop.orderUrl}/orders`, anOrder(`${who}${i}`)),
    ),
  );
  return replies;
};

/** Stops every app and starts it again on its database file; resolves once all answer. */
const restartAll = async (shop: Shop) => {
  await shop.stopOrder();
  await shop.stopBarista();
  await shop.stopPager();
  await shop.startPager();
  await shop.startBarista();
  await shop.startOrder();
  // Until each answers (the client also drops its connections to the stopped apps).
  for (const url of [shop.orderUrl, shop.baristaUrl, shop.pagerUrl]) {
    await eventually(`${url} to answer`, async () =>
      (await get(`${url}/health`)).status === 200 ? true : undefined,
    );
  }
};

/** How many events wait in the outbox of order's (stopped) store: its file, or its schema. */
const unpublished = async (shop: Shop): Promise<number> => {
  if (E2E_DATABASE_URL) {
    return countRows(E2E_DATABASE_URL, `${schemaPrefix(shop.namespace)}order.outbox`);
  }
  const db = SqliteDatabase.open({ path: shop.dbPath('order'), migrations: [] });
  try {
    return new Outbox(db).size;
  } finally {
    db.close();
  }
};

/** The OrderPlaced that order published for `id`, as barista received it (same message id). */
async function orderPlacedOf(shop: Shop, id: string): Promise<OrderPlaced> {
  const { body: order } = await get<OrderBody>(`${shop.orderUrl}/orders/${id}`);
  const { body: bar } = await get<BrewsBody>(`${shop.baristaUrl}/brews?limit=1000`);
  const brew = bar.brews.find((b) => b.data.orderId === id);
  if (!brew?.causationId) throw new Error(`no brew of order ${id}`);
  const placedAt = order.history[0].at;
  return {
    messageId: brew.causationId,
    type: EventTypes.OrderPlaced,
    occurredAt: placedAt,
    correlationId: order.correlationId,
    data: { orderId: id, customer: order.customer, items: order.items, placedAt },
  };
}

const allReady = (shop: Shop, ids: readonly string[]) =>
  eventually(`${ids.length} orders to be ready`, async () => {
    const { body } = await get<{ orders: OrderBody[] }>(
      `${shop.orderUrl}/orders?status=ready&limit=1000`,
    );
    const ready = new Set(body.orders.map((order) => order.id));
    return ids.every((id) => ready.has(id)) ? true : undefined;
  });

describe('stored vs published: the outbox (rmq)', () => {
  let link: TcpLink;
  let shop: Shop;
  let buzzes: BuzzListener;

  beforeAll(async () => {
    const broker = new URL(AMQP_URL);
    link = await TcpLink.open({ host: broker.hostname, port: Number(broker.port || 5672) });
    shop = await Shop.start({ transport: 'rmq', brewMs: 20, orderAmqpUrl: link.amqpUrl });
    buzzes = await BuzzListener.follow(shop.pagerUrl);
  });

  afterAll(async () => {
    await buzzes?.close();
    await shop?.close();
    await link?.close();
  });

  it('accepts orders while order cannot reach the broker, and publishes them once it can', async () => {
    link.sever();
    const placed = await placeOrders(shop, 3, 'offline');
    try {
      expect(placed.map((reply) => reply.status)).toEqual([202, 202, 202]);
      for (const { body } of placed) {
        const stored = await get<OrderBody>(`${shop.orderUrl}/orders/${body.id}`);
        expect(stored.body.status).toBe('placed');
      }
    } finally {
      link.restore();
    }

    const ids = placed.map((reply) => reply.body.id);
    await buzzes.waitFor(ids, 30_000);
    await allReady(shop, ids);
    expect(ids.map((id) => buzzes.count(id))).toEqual([1, 1, 1]);
  });

  it('loses nothing when order stops between storing and publishing: the next process publishes', async () => {
    link.sever();
    const placed = await placeOrders(shop, 3, 'stopped');
    expect(placed.map((reply) => reply.status)).toEqual([202, 202, 202]);
    // The order process ends with the events still in its outbox (stopped while the broker is
    // out of reach, as a crash right after the commit would leave them).
    await shop.stopOrder();
    expect(await unpublished(shop)).toBe(3);
    link.restore();
    await shop.startOrder();

    const ids = placed.map((reply) => reply.body.id);
    await buzzes.waitFor(ids, 30_000);
    await allReady(shop, ids);
    expect(ids.map((id) => buzzes.count(id))).toEqual([1, 1, 1]);
  });
});

describe('idempotent consumers across restarts (rmq)', () => {
  let shop: Shop;
  let broker: Broker;

  beforeAll(async () => {
    shop = await Shop.start({ transport: 'rmq', brewMs: 20 });
    broker = await Broker.connect();
  });

  afterAll(async () => {
    await broker?.close();
    await shop?.close();
  });

  const publish = (event: OrderPlaced | CoffeeBrewed) => broker.publishEvent(shop.namespace, event);

  it('never brews a redelivered OrderPlaced twice, nor buzzes a redelivered CoffeeBrewed twice, also after a restart', async () => {
    const listener = await BuzzListener.follow(shop.pagerUrl);
    const { body: first } = await post<OrderBody>(`${shop.orderUrl}/orders`, anOrder('Once'));
    await listener.waitFor([first.id]);
    await listener.close();
    await allReady(shop, [first.id]);
    const placed = await orderPlacedOf(shop, first.id);
    const brewsBefore = (await get<BrewsBody>(`${shop.baristaUrl}/brews`)).body.total;
    const { body: buzzBefore } = await get<{ buzzedAt: string }>(
      `${shop.pagerUrl}/buzzes/${first.id}`,
    );

    // Every consumer restarts: what it remembers now comes from its database file.
    await restartAll(shop);
    const brewed: Tapped[] = await broker.tap(shop.namespace, EventTypes.CoffeeBrewed);
    const after = await BuzzListener.follow(shop.pagerUrl);
    try {
      // Barista answers each copy with the CoffeeBrewed it logged (same message id, not a new
      // brew), and that reaches pager and order again. (Copies that arrive together share one
      // answer: one at a time here, so that each is seen.)
      const resentAfter = (count: number) =>
        eventually(`barista to answer copy ${count}`, () =>
          Promise.resolve(brewed.length >= count ? brewed : undefined),
        );
      await publish(placed);
      await resentAfter(1);
      await publish(placed);
      const resent = await resentAfter(2);
      const [original] = (
        await get<BrewsBody>(`${shop.baristaUrl}/brews?limit=1000`)
      ).body.brews.filter((b) => b.data.orderId === first.id);
      expect(resent.map((copy) => copy.messageId)).toEqual([
        original.messageId,
        original.messageId,
      ]);
      await publish(original); // and CoffeeBrewed straight to pager and order once more

      // A later order, buzzed, shows the copies ahead of it in the queues were handled.
      const { body: next } = await post<OrderBody>(`${shop.orderUrl}/orders`, anOrder('Next'));
      await after.waitFor([next.id]);
      await allReady(shop, [next.id]);

      expect(after.count(first.id)).toBe(0);
      expect((await get<BrewsBody>(`${shop.baristaUrl}/brews`)).body.total).toBe(brewsBefore + 1);
      // Two answers from barista and the copy published here: one message id, no new brew.
      const ofFirst = brewed.filter((copy) => copy.event.data.orderId === first.id);
      expect(ofFirst.map((copy) => copy.messageId)).toEqual(Array(3).fill(original.messageId));
      const { body: buzz } = await get<{ buzzedAt: string }>(`${shop.pagerUrl}/buzzes/${first.id}`);
      expect(buzz.buzzedAt).toBe(buzzBefore.buzzedAt);
      const { body: order } = await get<OrderBody>(`${shop.orderUrl}/orders/${first.id}`);
      expect(order.history.map((change) => change.status)).toEqual(['placed', 'brewing', 'ready']);
    } finally {
      await after.close();
    }
  });
});

describe.each(['http', 'rmq'] as const)('what survives a restart (%s)', (transport) => {
  let shop: Shop;

  beforeAll(async () => (shop = await Shop.start({ transport, brewMs: 10 })));
  afterAll(async () => shop?.close());

  it('forgets the handled message ids older than PROCESSED_RETENTION_HOURS when an app starts', async () => {
    const withPager = <T>(use: (processed: ProcessedMessages) => T): T => {
      const db = SqliteDatabase.open({ path: shop.dbPath('pager'), migrations: [] });
      try {
        return use(new ProcessedMessages(db));
      } finally {
        db.close();
      }
    };
    await shop.stopPager();
    const hour = 3_600_000;
    withPager((processed) => {
      processed.record('handled-8-days-ago', Date.now() - 8 * 24 * hour);
      processed.record('handled-6-days-ago', Date.now() - 6 * 24 * hour);
    });
    await shop.startPager();
    // The default retention is a week: the pager forgets the older id at start, not the other.
    await eventually('the 8-day-old id forgotten', () =>
      Promise.resolve(withPager((p) => (p.has('handled-8-days-ago') ? undefined : true))),
    );
    expect(withPager((p) => p.has('handled-6-days-ago'))).toBe(true);
  });

  it('keeps every order, brew and buzz when the apps start again on their files', async () => {
    const listener = await BuzzListener.follow(shop.pagerUrl);
    const placed = await placeOrders(shop, 5, 'kept');
    const ids = placed.map((reply) => reply.body.id);
    await listener.waitFor(ids);
    await listener.close();
    await allReady(shop, ids);
    const before = {
      orders: (await get<{ total: number }>(`${shop.orderUrl}/orders`)).body.total,
      brews: (await get<BrewsBody>(`${shop.baristaUrl}/brews`)).body.total,
      buzzes: (await get<BuzzesBody>(`${shop.pagerUrl}/buzzes`)).body.total,
    };
    expect(before).toEqual({ orders: 5, brews: 5, buzzes: 5 });

    await restartAll(shop);

    const { body: orders } = await get<{ total: number; orders: OrderBody[] }>(
      `${shop.orderUrl}/orders?status=ready&limit=100`,
    );
    expect(orders.total).toBe(5);
    expect(orders.orders.map((order) => order.id).sort()).toEqual([...ids].sort());
    expect((await get<BrewsBody>(`${shop.baristaUrl}/brews`)).body.total).toBe(5);
    expect((await get<BuzzesBody>(`${shop.pagerUrl}/buzzes`)).body.total).toBe(5);

    if (transport === 'http') {
      // A retried call after the restart: barista answers with the logged brew, pager with the
      // earlier buzz; neither does it again.
      const { body: logged } = await get<BrewsBody>(`${shop.baristaUrl}/brews?limit=1`);
      const [brew] = logged.brews;
      const again = await post<CoffeeBrewed>(
        `${shop.baristaUrl}/brews`,
        await orderPlacedOf(shop, brew.data.orderId),
      );
      expect(again.status).toBe(200);
      expect(again.body.messageId).toBe(brew.messageId);
      const buzzAgain = await post(`${shop.pagerUrl}/buzzes`, brew);
      expect(buzzAgain.status).toBe(200);
      expect((await get<BrewsBody>(`${shop.baristaUrl}/brews`)).body.total).toBe(5);
      expect((await get<BuzzesBody>(`${shop.pagerUrl}/buzzes`)).body.total).toBe(5);
    }

    const next = await post<OrderBody>(`${shop.orderUrl}/orders`, anOrder('after'));
    await allReady(shop, [next.body.id]);
  });
});
