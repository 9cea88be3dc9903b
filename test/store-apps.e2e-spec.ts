// Barista and pager wired on PostgreSQL by configuration alone (DATABASE_URL): two instances
// of each share one schema, so a repeat of an order (a redelivery, an HTTP retry) that reaches
// the other instance is recognised there; `/health` reports the database, and says so when it
// cannot be reached. The multi-instance shop under load is test/scale's business.
import { type CoffeeBrewed, envelope, EventTypes, type OrderPlaced } from '@app/contracts';
import { loadConfig } from '@app/platform';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { BaristaConfig } from '../apps/barista/src/barista.config';
import { createBaristaApp } from '../apps/barista/src/bootstrap';
import { createPagerApp } from '../apps/pager/src/bootstrap';
import { PagerConfig } from '../apps/pager/src/pager.config';
import { eventually, get, post } from './support/client';
import { TcpLink } from './support/link';
import { dropSchemasByPrefix, TEST_DATABASE_URL, uniquePrefix } from './support/store-schemas';

async function listen(
  app: Promise<INestApplication>,
): Promise<{ app: INestApplication; url: string }> {
  const started = await app;
  await started.listen(0, '127.0.0.1');
  const { port } = started.getHttpServer().address() as AddressInfo;
  return { app: started, url: `http://127.0.0.1:${port}` };
}

function orderPlaced(): OrderPlaced {
  return envelope<OrderPlaced>(
    EventTypes.OrderPlaced,
    {
      orderId: randomUUID(),
      customer: 'Ada',
      items: [{ drink: 'latte', size: 'large', quantity: 1 }],
      placedAt: new Date().toISOString(),
    },
    { correlationId: randomUUID() },
  );
}

describe('barista and pager on PostgreSQL (DATABASE_URL), two instances each', () => {
  const prefix = uniquePrefix();
  const apps: INestApplication[] = [];
  let link: TcpLink;
  let baristas: string[];
  let pagers: string[];

  beforeAll(async () => {
    const pg = new URL(TEST_DATABASE_URL);
    link = await TcpLink.open({ host: pg.hostname, port: Number(pg.port || 5432) });
    const viaLink = new URL(TEST_DATABASE_URL);
    viaLink.port = String(link.port);
    const env = {
      TRANSPORT: 'http',
      LOG_LEVEL: 'warn',
      DATABASE_SCHEMA_PREFIX: prefix,
      DATABASE_POOL_MAX: '3',
    };
    const start = async (create: () => Promise<INestApplication>) => {
      const { app, url } = await listen(create());
      apps.push(app);
      return url;
    };
    baristas = [
      // The first one reaches PostgreSQL through a link the test can cut.
      await start(() =>
        createBaristaApp(
          loadConfig(BaristaConfig, {
            ...env,
            DATABASE_URL: viaLink.toString(),
            BARISTA_ID: 'a',
            BREW_MS: '1500',
          }),
        ),
      ),
      await start(() =>
        createBaristaApp(
          loadConfig(BaristaConfig, {
            ...env,
            DATABASE_URL: TEST_DATABASE_URL,
            BARISTA_ID: 'b',
            BREW_MS: '0',
          }),
        ),
      ),
    ];
    const pagerConfig = loadConfig(PagerConfig, { ...env, DATABASE_URL: TEST_DATABASE_URL });
    pagers = [
      await start(() => createPagerApp(pagerConfig)),
      await start(() => createPagerApp(pagerConfig)),
    ];
  });

  afterAll(async () => {
    link?.restore();
    for (const app of apps.reverse()) await app.close();
    await link?.close();
    await dropSchemasByPrefix(prefix);
  });

  // Barista a brews slowly, b at once: had b brewed the repeat too, its brew would be logged
  // first and be the one both answers carry.
  it('brews an order once: the other barista answers a repeat sent mid-brew with that brew', async () => {
    const order = orderPlaced();
    const first = post<CoffeeBrewed>(`${baristas[0]}/brews`, order);
    await eventually('barista a to be brewing', async () => {
      const bar = await get<{ busy: number }>(`${baristas[0]}/brews`);
      return bar.body.busy === 1 ? true : undefined;
    });

    const repeat = await post<CoffeeBrewed>(`${baristas[1]}/brews`, order);
    const original = await first;

    expect(original.status).toBe(200);
    expect(original.body.data.baristaId).toBe('a');
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(original.body);
    for (const url of baristas) {
      const bar = await get<{ total: number }>(`${url}/brews`);
      expect(bar.body.total).toBe(1);
    }
  });

  it('buzzes an order once across pager instances', async () => {
    const order = orderPlaced();
    const brewed = await post<CoffeeBrewed>(`${baristas[1]}/brews`, order);

    const [a, b] = await Promise.all(pagers.map((url) => post(`${url}/buzzes`, brewed.body)));

    expect([a.status, b.status].sort()).toEqual([200, 201]);
    for (const url of pagers) {
      const buzz = await get(`${url}/buzzes/${order.data.orderId}`);
      expect(buzz.status).toBe(200);
      expect(buzz.body).toMatchObject({ orderId: order.data.orderId, customer: 'Ada' });
    }
  });

  it('reports the database in /health and answers 503 while it cannot be reached, 200 again after', async () => {
    const healthy = await get(`${baristas[0]}/health`);
    expect(healthy.status).toBe(200);
    expect(healthy.body.checks.database).toMatchObject({
      status: 'up',
      store: 'postgres',
      schema: `${prefix}barista`,
    });

    link.sever();
    try {
      const cut = await get(`${baristas[0]}/health`);
      expect(cut.status).toBe(503);
      expect(cut.body.checks.database).toMatchObject({ status: 'down', store: 'postgres' });
      // Work that needs the database is refused as unavailable, not failed as a server error.
      const brew = await post(`${baristas[0]}/brews`, orderPlaced());
      expect(brew.status).toBe(503);
      expect(brew.body).toMatchObject({
        statusCode: 503,
        message: expect.stringMatching(/^the database is unavailable: /),
      });
      // The other instance has its own way to the database.
      expect((await get(`${baristas[1]}/health`)).status).toBe(200);
    } finally {
      link.restore();
    }

    const back = await get(`${baristas[0]}/health`);
    expect(back.status).toBe(200);
  });
});
