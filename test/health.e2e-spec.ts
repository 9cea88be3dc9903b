import { get } from './support/client';
import { Shop } from './support/shop';

describe('health over http: order is ready only while barista and pager are', () => {
  let shop: Shop;

  beforeAll(async () => {
    shop = await Shop.start({ transport: 'http' });
  });

  afterAll(async () => {
    await shop?.startBarista();
    await shop?.close();
  });

  it('answers 200 with each downstream up, then 503 naming barista while it is down', async () => {
    const ready = await get(`${shop.orderUrl}/health`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      service: 'order',
      transport: 'http',
      checks: {
        barista: { status: 'up', instances: [{ url: shop.baristaUrl, status: 'up' }] },
        pager: { status: 'up' },
      },
    });

    await shop.stopBarista();
    const notReady = await get(`${shop.orderUrl}/health`);
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({
      status: 'unavailable',
      checks: {
        barista: { status: 'down', instances: [{ url: shop.baristaUrl, status: 'down' }] },
        pager: { status: 'up' },
      },
    });
    // Still alive: nothing to restart, only not ready.
    const live = await get(`${shop.orderUrl}/health/live`);
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok', service: 'order', pid: process.pid });

    await shop.startBarista();
    expect((await get(`${shop.orderUrl}/health`)).status).toBe(200);
  });

  it('has barista and pager ready on their own (they call nobody), their SQLite file open', async () => {
    for (const [url, service] of [
      [shop.baristaUrl, 'barista'],
      [shop.pagerUrl, 'pager'],
    ]) {
      const health = await get(`${url}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        service,
        checks: { database: { status: 'up', store: 'sqlite' } },
      });
    }
  });
});

describe('health over rmq: ready while connected to the broker and consuming', () => {
  let shop: Shop;

  beforeAll(async () => {
    shop = await Shop.start({ transport: 'rmq' });
  });

  afterAll(async () => {
    await shop?.close();
  });

  it('shows the broker check of every app', async () => {
    for (const [url, service] of [
      [shop.orderUrl, 'order'],
      [shop.baristaUrl, 'barista'],
      [shop.pagerUrl, 'pager'],
    ]) {
      const health = await get(`${url}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({
        status: 'ok',
        service,
        transport: 'rmq',
        checks: { broker: { status: 'up', consumer: 'consuming' } },
      });
    }
  });
});
