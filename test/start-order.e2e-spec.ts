import { randomUUID } from 'node:crypto';
import { anOrder, eventually, get, post } from './support/client';
import { Shop } from './support/shop';

/**
 * Issue 11: an event is never confirmed into nowhere. Every app declares the namespace's whole
 * topology before it publishes, so the first app to start, whichever it is, gives every event
 * a queue to wait in; consumers that start later find their events there.
 */
describe('start order (rmq): consumers that start after their events were published', () => {
  let shop: Shop | undefined;

  afterEach(async () => {
    await shop?.close();
    shop = undefined;
  });

  const orderStatus = async (id: string): Promise<string | undefined> =>
    (await get<{ status: string }>(`${shop!.orderUrl}/orders/${id}`)).body.status;

  const allReady = (ids: readonly string[]) =>
    eventually(
      'every order ready',
      async () =>
        (await Promise.all(ids.map(orderStatus))).every((status) => status === 'ready')
          ? true
          : undefined,
      60_000,
    );

  const buzzed = async (id: string): Promise<boolean> =>
    (await get(`${shop!.pagerUrl}/buzzes/${id}`)).status === 200;

  it('order alone accepts orders; barista and pager, started for the first time, complete every one', async () => {
    shop = await Shop.start({ transport: 'rmq', withoutBarista: true, withoutPager: true });
    const placed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(`${shop!.orderUrl}/orders`, anOrder(`first-${i}`))),
    );
    expect(placed.map((reply) => reply.status)).toEqual(Array(20).fill(202));
    const ids = placed.map((reply) => reply.body.id as string);
    // Accepted and published (the outbox is empty once the broker confirmed each event).
    expect(await Promise.all(ids.map(orderStatus))).toEqual(Array(20).fill('placed'));

    await shop.startBarista();
    await shop.startPager();

    await allReady(ids);
    await eventually(
      'every order buzzed',
      async () => ((await Promise.all(ids.map(buzzed))).every(Boolean) ? true : undefined),
      30_000,
    );
  });

  it('barista publishes CoffeeBrewed before pager ever ran; pager, started later, buzzes each', async () => {
    shop = await Shop.start({ transport: 'rmq', withoutPager: true });
    const placed = await Promise.all(
      Array.from({ length: 10 }, () =>
        post(`${shop!.orderUrl}/orders`, anOrder(randomUUID().slice(0, 8))),
      ),
    );
    const ids = placed.map((reply) => reply.body.id as string);
    // Brewed (order heard CoffeeBrewed) while no pager had ever declared its queue.
    await allReady(ids);

    await shop.startPager();

    await eventually(
      'every order buzzed',
      async () => ((await Promise.all(ids.map(buzzed))).every(Boolean) ? true : undefined),
      30_000,
    );
  });
});
