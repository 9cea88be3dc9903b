import { EventTypes } from '@app/contracts';
import { freePort } from '@app/platform';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Broker, type Spy } from './support/amqp';
import { anOrder, BuzzListener, eventually, get, post, type Reply } from './support/client';
import { Shop } from './support/shop';
import { SpawnedApp } from './support/spawned-app';

const run = promisify(execFile);

type OrderBody = { id: string; status: string };

/**
 * Faults against real processes and the real broker. Each test keeps a load of orders going,
 * injects the fault partway through, repairs it, and after the drain checks what issue 4 asks:
 * every accepted order completed exactly once, nothing in the dead-letter queue.
 */

/** Posts `count` orders, one every `everyMs`, while `during` runs alongside; every reply. */
async function load(
  orderUrl: string,
  count: number,
  everyMs: number,
  during: () => Promise<void>,
): Promise<Reply<OrderBody>[]> {
  const replies: Promise<Reply<OrderBody>>[] = [];
  const fault = during();
  for (let i = 0; i < count; i += 1) {
    replies.push(
      post<OrderBody>(`${orderUrl}/orders`, anOrder(`f${i}`)).catch(
        (error: unknown) => ({ status: 0, body: { id: '', status: String(error) } }) as Reply,
      ),
    );
    await sleep(everyMs);
  }
  await fault;
  return Promise.all(replies);
}

/** Every accepted order buzzed exactly once and ready, within the drain. */
async function expectEachCompletedOnce(shop: Shop, buzzes: BuzzListener, ids: string[]) {
  await buzzes.waitFor(ids, 60_000);
  // A late duplicate would arrive after the first buzz: give it time to show.
  await sleep(500);
  const counts = ids.map((id) => buzzes.count(id));
  expect(counts.filter((count) => count !== 1)).toEqual([]);
  for (const id of ids) {
    const order = await eventually(`order ${id} to be ready`, async () => {
      const reply = await get<OrderBody>(`${shop.orderUrl}/orders/${id}`);
      return reply.body.status === 'ready' ? reply.body : undefined;
    });
    expect(order.status).toBe('ready');
  }
}

/** CoffeeBrewed message ids per order, as the broker carried them. */
function brewsPerOrder(spy: Spy): Map<string, Set<string>> {
  const brews = new Map<string, Set<string>>();
  for (const seen of spy.seen) {
    if (seen.routingKey !== EventTypes.CoffeeBrewed) continue;
    const envelope = seen.body as { messageId: string; data: { orderId: string } };
    const ids = brews.get(envelope.data.orderId) ?? new Set<string>();
    ids.add(envelope.messageId);
    brews.set(envelope.data.orderId, ids);
  }
  return brews;
}

describe.each(['rmq', 'http'] as const)(
  'barista killed with SIGKILL mid-load (%s)',
  (transport) => {
    let shop: Shop;
    let buzzes: BuzzListener;
    let broker: Broker | undefined;
    let spy: Spy | undefined;
    const baristas: SpawnedApp[] = [];
    let port: number;

    beforeAll(async () => {
      port = await freePort();
      // Order and pager in this process; barista, the process that is killed, on its own.
      shop = await Shop.start({
        transport,
        brewMs: 50,
        machines: 2,
        withoutBarista: true,
        orderBaristaUrl: `http://127.0.0.1:${port}`,
        // A fast-failing pattern without retries: the orders due while barista is dead fail.
        env: { HTTP_DEFENCES: 'off' },
      });
      if (transport === 'rmq') {
        broker = await Broker.connect();
        spy = await broker.spy(shop.namespace, [EventTypes.CoffeeBrewed]);
      }
      buzzes = await BuzzListener.follow(shop.pagerUrl);
    });

    afterAll(async () => {
      for (const barista of baristas) await barista.stop();
      await buzzes?.close();
      await spy?.close();
      await broker?.close();
      await shop?.close();
    });

    const startBarista = async () => {
      // Same id, same file: a barista started again finds its brew log.
      const barista = SpawnedApp.start('barista', port, {
        ...shop.env(),
        BARISTA_PORT: String(port),
      });
      baristas.push(barista);
      await barista.ready();
      return barista;
    };

    it('loses nothing accepted and completes each accepted order once', async () => {
      const first = await startBarista();
      const replies = await load(shop.orderUrl, 80, 25, async () => {
        await sleep(600);
        first.signal('SIGKILL');
        const exit = await first.exited;
        expect(exit.signal).toBe('SIGKILL');
        await sleep(800);
        await startBarista();
      });

      const accepted = replies.filter((reply) => reply.status === 201 || reply.status === 202);
      const failed = replies.filter((reply) => !accepted.includes(reply));
      if (transport === 'rmq') {
        // Async: barista's death only delays the coffee; every order is stored and accepted.
        expect(failed.map((reply) => reply.status)).toEqual([]);
      } else {
        // Sync: the orders that met the dead barista fail loudly (503/504 naming barista), never
        // silently; the others were completed before the answer.
        expect(failed.length).toBeGreaterThan(0);
        for (const reply of failed) expect([503, 504]).toContain(reply.status);
      }
      await expectEachCompletedOnce(
        shop,
        buzzes,
        accepted.map((reply) => reply.body.id),
      );
      if (spy && broker) {
        const brews = brewsPerOrder(spy);
        const twice = [...brews].filter(([, ids]) => ids.size > 1).map(([orderId]) => orderId);
        expect(twice).toEqual([]);
        expect(await broker.peekDeadLetters(shop.namespace)).toEqual([]);
      }
    });
  },
);

describe('RabbitMQ restarted mid-load (rmq)', () => {
  let shop: Shop;
  let buzzes: BuzzListener;

  beforeAll(async () => {
    shop = await Shop.start({ transport: 'rmq', brewMs: 20, machines: 4 });
    buzzes = await BuzzListener.follow(shop.pagerUrl);
  });

  afterAll(async () => {
    await buzzes?.close();
    await shop?.close();
  });

  const brokerUp = async () => {
    await eventually(
      'RabbitMQ to answer again',
      async () => {
        await run('rabbitmq-diagnostics', ['-q', 'ping']);
        const probe = await Broker.connect();
        await probe.close();
        return true;
      },
      60_000,
    );
  };

  it('stores the orders that arrive while the broker is down and completes every one once', async () => {
    let replies: Reply<OrderBody>[] = [];
    try {
      replies = await load(shop.orderUrl, 60, 50, async () => {
        await sleep(700);
        await run('rabbitmqctl', ['-q', 'stop_app']);
        await sleep(1500);
        await run('rabbitmqctl', ['-q', 'start_app']);
      });
    } finally {
      // Whatever happened above, the broker is left running for everyone else.
      await run('rabbitmqctl', ['-q', 'start_app']).catch(() => undefined);
      await brokerUp();
    }

    // 202 means stored: the outbox publishes what arrived while the broker was away.
    expect(replies.map((reply) => reply.status).filter((status) => status !== 202)).toEqual([]);
    await expectEachCompletedOnce(
      shop,
      buzzes,
      replies.map((reply) => reply.body.id),
    );
    const broker = await Broker.connect();
    try {
      expect(await broker.peekDeadLetters(shop.namespace)).toEqual([]);
    } finally {
      await broker.close();
    }
  });
});
