import { topology } from '@app/messaging';
import { Broker } from './support/amqp';
import { anOrder, BuzzListener, eventually, get, post } from './support/client';
import { closeConnections, connectionsOf, type BrokerConnection } from './support/rabbitmqctl';
import { Shop } from './support/shop';

type OrderBody = { id: string; status: string };

/** Every connection the three apps keep once they have published (pager never publishes). */
const ROLES = [
  'barista/consumer',
  'barista/publisher',
  'order/consumer',
  'order/publisher',
  'pager/consumer',
];

const roles = (connections: readonly BrokerConnection[]) =>
  connections
    .map((connection) => connection.name.split(' ')[0].split('/').slice(1).join('/'))
    .sort();

describe('reconnection (rmq)', () => {
  let shop: Shop;
  let buzzes: BuzzListener;
  let broker: Broker;

  beforeAll(async () => {
    shop = await Shop.start({ transport: 'rmq', brewMs: 20, machines: 4, retryBaseDelayMs: 200 });
    buzzes = await BuzzListener.follow(shop.pagerUrl);
    broker = await Broker.connect();
  });

  afterAll(async () => {
    await buzzes?.close();
    await broker?.close();
    await shop?.close();
  });

  const place = () => post<OrderBody>(`${shop.orderUrl}/orders`, anOrder('Reconnect'));

  it('reconnects every app by itself when the broker cuts their connections mid-load; every accepted order completes once', async () => {
    // Warm up, so that both publishers have connected.
    const first = await place();
    expect(first.status).toBe(202);
    await buzzes.waitFor([first.body.id]);
    const before = await connectionsOf(shop.namespace);
    expect(roles(before)).toEqual(ROLES);

    // Open-loop load: an order every 20 ms, whatever happens to the answers.
    const replies: Promise<Awaited<ReturnType<typeof place>>>[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        replies.push(place());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      await eventually('some orders under load', () =>
        Promise.resolve(replies.length >= 20 ? true : undefined),
      );
      await closeConnections(before);

      // Each app connects again (new connections, same names) and consumes again.
      const after = await eventually('the apps to reconnect', async () => {
        const now = await connectionsOf(shop.namespace);
        const fresh = now.filter((c) => !before.some((old) => old.pid === c.pid));
        return roles(fresh).join() === ROLES.join() ? fresh : undefined;
      });
      expect(after).toHaveLength(ROLES.length);
      await eventually('each queue to have its consumer again', async () => {
        const counts = await Promise.all(
          ['order', 'barista', 'pager'].map((app) =>
            broker.consumerCount(topology(shop.namespace).queue(app)),
          ),
        );
        return counts.every((count) => count === 1) ? true : undefined;
      });
      const sinceBack = replies.length;
      await eventually('more orders after the reconnection', () =>
        Promise.resolve(replies.length >= sinceBack + 20 ? true : undefined),
      );
    } finally {
      loading = false;
      await load;
    }

    const answered = await Promise.all(replies);
    const accepted = answered.filter((reply) => reply.status === 202).map((r) => r.body.id);
    // The publisher rides out the cut (it waits for the reconnection), so the orders placed
    // during it are accepted too, only later; any refusal would have to name the broker.
    for (const reply of answered.filter((r) => r.status !== 202)) {
      expect(reply.status).toBe(503);
      expect(reply.body).toMatchObject({ hop: 'broker' });
    }
    expect(accepted.length).toBeGreaterThan(40);

    await buzzes.waitFor(accepted, 30_000);
    await eventually('every accepted order to be ready', async () => {
      const { body } = await get<{ orders: OrderBody[] }>(
        `${shop.orderUrl}/orders?status=ready&limit=1000`,
      );
      const ready = new Set(body.orders.map((order) => order.id));
      return accepted.every((id) => ready.has(id)) ? true : undefined;
    });
    await eventually('the queues to be empty', async () => {
      const names = topology(shop.namespace);
      const depths = await Promise.all(
        ['order', 'barista', 'pager'].map((app) => broker.messageCount(names.queue(app))),
      );
      return depths.every((depth) => depth === 0) ? true : undefined;
    });
    expect(accepted.map((id) => buzzes.count(id))).toEqual(accepted.map(() => 1));
    expect(await broker.messageCount(topology(shop.namespace).deadLetterQueue)).toBe(0);

    for (const url of [shop.orderUrl, shop.baristaUrl, shop.pagerUrl]) {
      const health = await get(`${url}/health`);
      expect(health.status).toBe(200);
      expect(health.body.checks.broker).toMatchObject({ status: 'up', consumer: 'consuming' });
    }
  });
});
