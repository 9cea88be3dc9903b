import { EventTypes } from '@app/contracts';
import { topology } from '@app/messaging';
import { freePort } from '@app/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { Broker, type Spy } from './support/amqp';
import { anOrder, BuzzListener, eventually, get, post, type Reply } from './support/client';
import { Shop } from './support/shop';
import { SpawnedApp } from './support/spawned-app';

type OrderBody = { id: string; status: string; hop?: string; message?: string };

/**
 * A callee that accepts the call and never answers: barista frozen with SIGSTOP (the kernel still
 * accepts its connections) and resumed with SIGCONT. Under http order gives up at its timeout
 * with a 504 naming the hop, and its own endpoints keep answering meanwhile; under rmq the orders
 * the frozen barista held unacknowledged are brewed once it resumes, each exactly once.
 */
describe.each(['http', 'rmq'] as const)(
  'barista hangs (SIGSTOP, then SIGCONT) (%s)',
  (transport) => {
    let shop: Shop;
    let barista: SpawnedApp;
    let buzzes: BuzzListener;
    let broker: Broker | undefined;
    let spy: Spy | undefined;

    beforeAll(async () => {
      const port = await freePort();
      shop = await Shop.start({
        transport,
        brewMs: 20,
        machines: 2,
        baristaTimeoutMs: 1000,
        withoutBarista: true,
        orderBaristaUrl: `http://127.0.0.1:${port}`,
        env: { HTTP_DEFENCES: 'off' },
      });
      if (transport === 'rmq') {
        broker = await Broker.connect();
        spy = await broker.spy(shop.namespace, [EventTypes.CoffeeBrewed]);
      }
      buzzes = await BuzzListener.follow(shop.pagerUrl);
      // Barista on its own, so that it can be frozen without freezing the test.
      barista = SpawnedApp.start('barista', port, { ...shop.env(), BARISTA_PORT: String(port) });
      await barista.ready();
    }, 90_000);

    afterAll(async () => {
      barista?.signal('SIGCONT');
      await barista?.stop();
      await buzzes?.close();
      await spy?.close();
      await broker?.close();
      await shop?.close();
    });

    /** Runs `during` with barista frozen; SIGCONT whatever happens. */
    async function frozen<T>(during: () => Promise<T>): Promise<T> {
      barista.signal('SIGSTOP');
      try {
        return await during();
      } finally {
        barista.signal('SIGCONT');
      }
    }

    const place = (customer: string) =>
      post<OrderBody>(`${shop.orderUrl}/orders`, anOrder(customer));

    if (transport === 'http') {
      it('answers 504 naming barista at the timeout, and keeps answering its own endpoints meanwhile', async () => {
        const before = await place('before');
        expect(before.status).toBe(201);

        const { hung, whileWaiting, downstreams } = await frozen(async () => {
          let settled = false;
          const placing = place('hung').finally(() => (settled = true));
          // Order holds the call to barista open ...
          const open = await eventually('order to hold a call to barista', async () => {
            const reply = await get<Record<string, { inFlight: number; sockets: number }>>(
              `${shop.orderUrl}/downstreams`,
            );
            return reply.body.barista.inFlight >= 1 ? reply.body.barista : undefined;
          });
          // ... and meanwhile answers what does not need barista.
          const one = await get<OrderBody>(`${shop.orderUrl}/orders/${before.body.id}`);
          const list = await get<{ orders: OrderBody[] }>(`${shop.orderUrl}/orders`);
          const answeredFirst = !settled;
          return {
            hung: await placing,
            whileWaiting: { one: one.status, list: list.status, answeredFirst },
            downstreams: open,
          };
        });

        expect(whileWaiting).toEqual({ one: 200, list: 200, answeredFirst: true });
        expect(downstreams.sockets).toBeGreaterThanOrEqual(1);
        expect(hung.status).toBe(504);
        expect(hung.body).toMatchObject({ hop: 'barista' });
        expect(hung.body.message).toMatch(/barista did not answer within 1000 ms/);
        const { body: calls } = await get<Record<string, { inFlight: number }>>(
          `${shop.orderUrl}/downstreams`,
        );
        expect(calls.barista.inFlight).toBe(0);

        // Resumed, barista serves the next order as before.
        await barista.ready();
        expect((await place('after')).status).toBe(201);
      });
    } else {
      it('brews the orders the frozen barista held unacknowledged once it resumes, each once', async () => {
        const warm = await place('warm');
        await buzzes.waitFor([warm.body.id]);
        const queue = topology(shop.namespace).queue('barista');
        const count = 12;

        const replies = await frozen(async () => {
          const accepted: Reply<OrderBody>[] = [];
          for (let i = 0; i < count; i += 1) accepted.push(await place(`frozen-${i}`));
          // Fewer ready than placed: the broker handed the rest to the frozen barista, unacked.
          await eventually('the broker to deliver some orders to the frozen barista', async () => {
            const ready = await broker?.messageCount(queue);
            return ready !== undefined && ready < count ? ready : undefined;
          });
          // Frozen a little longer, so nothing is brewed before the resume by chance.
          await sleep(300);
          expect(accepted.map((reply) => buzzes.count(reply.body.id))).toEqual(
            accepted.map(() => 0),
          );
          return accepted;
        });

        // Accepted at once while barista was frozen: the client never waited for it.
        expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 202));
        const ids = replies.map((reply) => reply.body.id);
        await buzzes.waitFor(ids, 60_000);
        await sleep(500);
        expect(ids.map((id) => buzzes.count(id))).toEqual(ids.map(() => 1));
        const brews = new Map<string, Set<string>>();
        for (const seen of spy?.seen ?? []) {
          const event = seen.body as { messageId: string; data: { orderId: string } };
          brews.set(
            event.data.orderId,
            (brews.get(event.data.orderId) ?? new Set()).add(event.messageId),
          );
        }
        expect(ids.map((id) => brews.get(id)?.size)).toEqual(ids.map(() => 1));
        expect(await broker?.peekDeadLetters(shop.namespace)).toEqual([]);
      });
    }
  },
);
