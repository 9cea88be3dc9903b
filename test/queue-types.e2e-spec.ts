import { topology } from '@app/messaging';
import { freePort } from '@app/platform';
import * as amqp from 'amqplib';
import { AMQP_URL, Broker } from './support/amqp';
import { anOrder, eventually, post } from './support/client';
import { queueTypesOf } from './support/rabbitmqctl';
import { Shop } from './support/shop';
import { SpawnedApp } from './support/spawned-app';

/** Issue 11: AMQP_QUEUE_TYPE, AMQP_DELIVERY_LIMIT, and a namespace declared otherwise. */
describe('queue types (rmq)', () => {
  let shop: Shop | undefined;

  afterEach(async () => {
    await shop?.close();
    shop = undefined;
  });

  it.each([
    ['quorum', {}],
    ['classic', { AMQP_QUEUE_TYPE: 'classic' }],
  ])('declares the context, retry and dead-letter queues as %s', async (type, env) => {
    shop = await Shop.start({ transport: 'rmq', retryAttempts: 1, env });
    const names = topology(shop.namespace);
    const types = await queueTypesOf(shop.namespace);
    for (const queue of [
      names.queue('order'),
      names.queue('barista'),
      names.queue('pager'),
      names.retryQueue('barista', 1),
      names.deadLetterQueue,
      names.unroutableQueue,
    ]) {
      expect([queue, types.get(queue)]).toEqual([queue, type]);
    }
  });

  it('dead-letters a message whose consumer keeps dying before it settles it (quorum, delivery limit)', async () => {
    const limit = 2;
    shop = await Shop.start({
      transport: 'rmq',
      withoutBarista: true,
      withoutPager: true,
      env: { AMQP_DELIVERY_LIMIT: String(limit) },
    });
    const placed = await post(`${shop.orderUrl}/orders`, anOrder('Poison'));
    expect(placed.status).toBe(202);
    const queue = topology(shop.namespace).queue('barista');
    const broker = await Broker.connect();
    try {
      let deliveries = 0;
      let letters: Awaited<ReturnType<Broker['drainDeadLetters']>> = [];
      // A consumer that takes the message and dies before it acks: its connection goes, as a
      // kill -9 of the process would take it, and the broker counts one more delivery.
      while (letters.length === 0 && deliveries <= limit + 1) {
        const connection = await amqp.connect(AMQP_URL);
        const channel = await connection.createChannel();
        await channel.prefetch(1);
        const taken = new Promise<void>((resolve) => {
          void channel.consume(queue, (message) => message && resolve());
        });
        const got = await Promise.race([
          taken.then(() => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)),
        ]);
        if (got) deliveries += 1;
        await connection.close();
        letters = await eventually(
          'the message back in its queue or dead-lettered',
          async () => {
            const dead = await broker.drainDeadLetters(shop!.namespace);
            return dead.length > 0 || got ? dead : undefined;
          },
          5000,
        );
        if (!got) break;
      }
      expect(deliveries).toBe(limit + 1);
      expect(letters).toHaveLength(1);
      expect(letters[0].routingKey).toBe('order.placed');
      const deaths = letters[0].headers['x-death'] as { reason: string; queue: string }[];
      expect(deaths[0]).toMatchObject({ reason: 'delivery_limit', queue });
    } finally {
      await broker.close();
    }
  });

  it('stops with one line naming the queue when the namespace was declared with another type', async () => {
    shop = await Shop.start({
      transport: 'rmq',
      withoutBarista: true,
      withoutPager: true,
      env: { AMQP_QUEUE_TYPE: 'classic' },
    });
    const port = await freePort();
    const order = SpawnedApp.start('order', port, {
      ...shop.env(),
      AMQP_QUEUE_TYPE: 'quorum',
      ORDER_PORT: String(port),
      LOG_LEVEL: 'log',
      ORDER_DB_PATH: `${shop.dataDir}/other-order.sqlite`,
    });
    try {
      const exit = await order.exited;
      expect([exit.code, order.log]).toEqual([1, expect.stringContaining('refused to redeclare')]);
      const refusals = order.log
        .split('\n')
        .filter((line) => line.includes('RabbitMQ refused to redeclare'));
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatch(/(queue|exchange) e2e-[\w-]+\.\S+/);
      expect(refusals[0]).toContain('AMQP_NAMESPACE');
      expect(order.log).not.toMatch(/\n\s+at /);
    } finally {
      await order.stop();
    }
  });
});
