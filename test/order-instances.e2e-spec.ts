// Two order instances on one PostgreSQL schema (rmq), in this process: either answers for an
// order the other took, and a board open on one follows the orders taken on the other (its feed
// is LISTEN/NOTIFY, not the process's own). The multi-process proof (kill -9, a PostgreSQL
// restart) belongs to the cluster specs; this one keeps to what order promises, in seconds.
// Uses DATABASE_URL when set, else the machine's PostgreSQL; its schemas are dropped after.
import { loadConfig } from '@app/platform';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createOrderApp } from '../apps/order/src/bootstrap';
import { OrderConfig } from '../apps/order/src/order.config';
import { anOrder, BuzzListener, eventually, get, post } from './support/client';
import { dropSchemasByPrefix } from './support/store-schemas';
import { Shop } from './support/shop';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Change {
  readonly id: string;
  readonly status: string;
}

/** Follows an order instance's `/orders/stream` and keeps every change it sends. */
async function follow(orderUrl: string) {
  const abort = new AbortController();
  const changes: Change[] = [];
  const response = await fetch(`${orderUrl}/orders/stream`, { signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body!) {
      buffered += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const line = buffered
          .slice(0, end)
          .split('\n')
          .find((l) => l.startsWith('data:'));
        buffered = buffered.slice(end + 2);
        if (line) changes.push(JSON.parse(line.slice(5)) as Change);
      }
    }
  })().catch(() => undefined);
  return {
    statuses: (id: string) => changes.filter((c) => c.id === id).map((c) => c.status),
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

describe('two order instances on one PostgreSQL database (rmq)', () => {
  const prefix = `oi_${randomUUID().slice(0, 8)}_`;
  const env = { DATABASE_URL, DATABASE_SCHEMA_PREFIX: prefix };
  let shop: Shop;
  let second: INestApplication;
  let secondUrl: string;

  beforeAll(async () => {
    shop = await Shop.start({ transport: 'rmq', env });
    second = await createOrderApp(loadConfig(OrderConfig, { ...shop.env(), ...env }));
    await second.listen(0, '127.0.0.1');
    secondUrl = `http://127.0.0.1:${(second.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await second?.close();
    await shop?.close();
    await dropSchemasByPrefix(prefix, DATABASE_URL);
  });

  it('answers for an order on either instance, and a board on the other follows it to ready', async () => {
    const board = await follow(secondUrl);
    try {
      const placed = await post<{ id: string }>(`${shop.orderUrl}/orders`, anOrder('Ada'));
      expect(placed.status).toBe(202);
      const { id } = placed.body;

      await eventually('the other instance to show the order ready', async () => {
        const { body } = await get<{ status: string }>(`${secondUrl}/orders/${id}`);
        return body.status === 'ready' ? true : undefined;
      });
      await eventually('the board on the other instance to see it ready', () =>
        Promise.resolve(board.statuses(id).includes('ready') || undefined),
      );
      expect(board.statuses(id)).toEqual(['placed', 'brewing', 'ready']);
    } finally {
      await board.close();
    }
  });

  it('takes orders on both instances: each buzzed once, every one listed ready by both', async () => {
    const buzzes = await BuzzListener.follow(shop.pagerUrl);
    try {
      const replies = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          post<{ id: string }>(`${i % 2 ? secondUrl : shop.orderUrl}/orders`, anOrder(`c${i}`)),
        ),
      );
      expect(replies.map((reply) => reply.status)).toEqual(replies.map(() => 202));
      const ids = replies.map((reply) => reply.body.id);

      await buzzes.waitFor(ids, 30_000);
      for (const url of [shop.orderUrl, secondUrl]) {
        const listed = await eventually('every order ready on each instance', async () => {
          const { body } = await get<{ orders: { id: string }[]; total: number }>(
            `${url}/orders?status=ready&limit=100`,
          );
          return ids.every((id) => body.orders.some((order) => order.id === id)) ? body : undefined;
        });
        expect(listed.total).toBe(31);
      }
      expect(ids.map((id) => buzzes.count(id))).toEqual(ids.map(() => 1));
    } finally {
      await buzzes.close();
    }
  });
});
