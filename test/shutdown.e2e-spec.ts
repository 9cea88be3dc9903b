import { EventTypes } from '@app/contracts';
import { topology } from '@app/messaging';
import { freePort } from '@app/platform';
import { Broker, type Spy } from './support/amqp';
import { anOrder, BuzzListener, eventually, post } from './support/client';
import { Shop } from './support/shop';
import { SpawnedApp } from './support/spawned-app';

type OrderBody = { id: string };

describe('graceful shutdown (rmq)', () => {
  let shop: Shop;
  let broker: Broker;
  let spy: Spy;
  let buzzes: BuzzListener;
  let barista: SpawnedApp | undefined;

  beforeAll(async () => {
    // Order and pager in this process; the barista that is stopped runs as its own process.
    shop = await Shop.start({ transport: 'rmq', brewMs: 800, machines: 2, withoutBarista: true });
    broker = await Broker.connect();
    spy = await broker.spy(shop.namespace, [EventTypes.BrewStarted, EventTypes.CoffeeBrewed]);
    buzzes = await BuzzListener.follow(shop.pagerUrl);
  });

  afterAll(async () => {
    await barista?.stop();
    await buzzes?.close();
    await spy?.close();
    await broker?.close();
    await shop?.close();
  });

  const by = (routingKey: string, baristaId: string) =>
    spy
      .events(routingKey)
      .filter((event) => event.baristaId === baristaId)
      .map((event) => String(event.orderId));

  it('on SIGTERM a barista takes nothing new, finishes and acks its brews in flight, and exits', async () => {
    const port = await freePort();
    barista = SpawnedApp.start('barista', port, {
      ...shop.env(),
      LOG_LEVEL: 'log',
      BARISTA_PORT: String(port),
      BARISTA_ID: 'barista-a',
    });
    await barista.ready();

    const placed = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post<OrderBody>(`${shop.orderUrl}/orders`, anOrder(`s${i}`)),
      ),
    );
    expect(placed.map((reply) => reply.status)).toEqual(Array(12).fill(202));
    const ids = placed.map((reply) => reply.body.id);
    await eventually('barista-a to be brewing', () =>
      Promise.resolve(by(EventTypes.BrewStarted, 'barista-a').length > 0 ? true : undefined),
    );

    barista.signal('SIGTERM');
    // Its listener closes at once, while the brews in flight go on.
    const refusedWhileAlive = await eventually('the HTTP listener to close', async () => {
      const alive = barista?.alive ?? false;
      try {
        await fetch(`${barista?.url}/health/live`);
        return undefined;
      } catch {
        return alive;
      }
    });
    expect(refusedWhileAlive).toBe(true);
    const exit = await barista.exited;
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);

    // Every brew it started, it finished.
    const started = by(EventTypes.BrewStarted, 'barista-a');
    const brewed = by(EventTypes.CoffeeBrewed, 'barista-a');
    expect(new Set(brewed)).toEqual(new Set(started));
    expect(brewed.length).toBeGreaterThan(0);
    expect(brewed.length).toBeLessThan(12);
    expect(barista.log).toMatch(/Stopped consuming; finishing \d+ message\(s\) in flight/);
    expect(barista.log).toMatch(/Finished the \d+ message\(s\) in flight/);
    // ...and acked: what it brewed left the queue; what it had not taken waits there, untouched.
    const names = topology(shop.namespace);
    expect(await broker.messageCount(names.queue('barista'))).toBe(12 - brewed.length);
    expect(await broker.consumerCount(names.queue('barista'))).toBe(0);
    expect(await broker.messageCount(names.deadLetterQueue)).toBe(0);

    // Another barista brews the rest; every order is brewed and buzzed exactly once.
    await shop.startBarista();
    await buzzes.waitFor(ids, 30_000);
    expect(ids.map((id) => buzzes.count(id))).toEqual(Array(12).fill(1));
    const brewedOnce = spy.events(EventTypes.CoffeeBrewed).map((event) => String(event.orderId));
    expect(brewedOnce.sort()).toEqual([...ids].sort());
    expect(await broker.messageCount(names.deadLetterQueue)).toBe(0);
  });
});
