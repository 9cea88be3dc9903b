import { envelope, EventTypes, type IntegrationEvent, type OrderPlaced } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import type { OrderRepository } from '../application/ports/order.repository';
import { Order } from '../domain/order';

const T0 = '2025-01-01T10:00:00.000Z';
const T1 = '2025-01-01T10:00:01.000Z';
const T2 = '2025-01-01T10:00:02.000Z';

/** One store under the contract: its repository, what its outbox holds, and a restart. */
export interface OrderStore {
  readonly orders: OrderRepository;
  /** The events waiting in the outbox, oldest first. */
  pendingEvents(): Promise<IntegrationEvent[]>;
  /** Closes the store and opens it again on the same data; `orders` is then the new one. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

function anOrder(customer: string): Order {
  return Order.place({
    id: randomUUID(),
    customer,
    items: [{ drink: 'mocha', size: 'small', quantity: 2 }],
    correlationId: `corr-${customer}`,
    at: new Date(T0),
  });
}

function placed(order: Order): OrderPlaced {
  const { id: orderId, customer, items, placedAt } = order;
  return envelope<OrderPlaced>(
    EventTypes.OrderPlaced,
    { orderId, customer, items: [...items], placedAt },
    { correlationId: order.correlationId },
  );
}

const state = (order: Order | undefined) =>
  order && {
    id: order.id,
    customer: order.customer,
    items: order.items,
    status: order.status,
    history: order.history,
    correlationId: order.correlationId,
  };

/**
 * What every order store promises (SQLite, PostgreSQL): the same suite runs against each, so
 * the two cannot drift. `open` gives a fresh, empty store with an outbox.
 */
export function orderRepositoryContract(name: string, open: () => Promise<OrderStore>): void {
  describe(`${name}: the order repository contract`, () => {
    let store: OrderStore;
    const save = (order: Order, outbox: IntegrationEvent[] = [], handled?: string) =>
      store.orders.transaction(async (tx) => {
        await tx.save(order, outbox);
        if (handled) await tx.recordHandled(handled);
      });

    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    it('stores an order with its items, status and history, and finds it after a restart', async () => {
      const order = anOrder('Ada');
      await save(order);
      order.startBrewing(T1);
      await save(order);
      await store.restart();

      const found = await store.orders.findById(order.id);
      expect(state(found)).toEqual(state(order));
      expect(found?.status).toBe('brewing');
      expect(await store.orders.findById(randomUUID())).toBeUndefined();
    });

    it('lists the newest first, optionally of one status, with how many match', async () => {
      const [a, b, c] = ['a', 'b', 'c'].map(anOrder);
      for (const order of [a, b, c]) await save(order);
      b.markReady(T1, T2);
      await save(b);

      const all = await store.orders.list({ limit: 2 });
      expect(all.orders.map((o) => o.customer)).toEqual(['c', 'b']);
      expect(all.total).toBe(3);
      const ready = await store.orders.list({ status: 'ready', limit: 10 });
      expect(ready.orders.map((o) => o.customer)).toEqual(['b']);
      expect(ready.total).toBe(1);
      expect((await store.orders.list({ status: 'placed', limit: 10 })).total).toBe(2);
    });

    it('counts the orders of every status, zero included', async () => {
      expect(await store.orders.countByStatus()).toEqual({
        placed: 0,
        brewing: 0,
        ready: 0,
        failed: 0,
      });
      const [a, b, c] = ['a', 'b', 'c'].map(anOrder);
      for (const order of [a, b, c]) await save(order);
      a.startBrewing(T1);
      b.markReady(T1, T2);
      for (const order of [a, b]) await save(order);

      expect(await store.orders.countByStatus()).toEqual({
        placed: 1,
        brewing: 1,
        ready: 1,
        failed: 0,
      });
    });

    it('stores the outbox events and the handled message with the order, across a restart', async () => {
      const order = anOrder('Ada');
      const event = placed(order);
      await save(order, [event]);
      order.startBrewing(T1);
      await save(order, [], 'message-1');
      await store.restart();

      expect(await store.pendingEvents()).toEqual([event]);
      await store.orders.transaction(async (tx) => {
        expect(await tx.hasHandled('message-1')).toBe(true);
        expect(await tx.hasHandled('message-2')).toBe(false);
      });
    });

    it('stores nothing of a transaction whose work fails: no order, no event, no message id', async () => {
      const order = anOrder('Bob');
      const failure = new Error('the handler broke after saving');

      await expect(
        store.orders.transaction(async (tx) => {
          await tx.save(order, [placed(order)]);
          await tx.recordHandled('message-3');
          throw failure;
        }),
      ).rejects.toBe(failure);

      expect(await store.orders.findById(order.id)).toBeUndefined();
      expect(await store.pendingEvents()).toEqual([]);
      await store.orders.transaction(async (tx) => {
        expect(await tx.hasHandled('message-3')).toBe(false);
      });
    });

    it('stores nothing when an event cannot be stored', async () => {
      const order = anOrder('Bob');
      const unstorable = { ...placed(order), data: {} as Record<string, unknown> };
      unstorable.data.self = unstorable; // JSON.stringify throws

      await expect(save(order, [unstorable as unknown as IntegrationEvent])).rejects.toThrow(
        /circular/,
      );

      expect(await store.orders.findById(order.id)).toBeUndefined();
      expect(await store.pendingEvents()).toEqual([]);
    });

    it('runs two transactions on one order one after the other: no change is lost', async () => {
      const order = anOrder('Ada');
      await save(order);
      const change = (mutate: (order: Order) => void) =>
        store.orders.transaction(async (tx) => {
          const copy = (await tx.findById(order.id))!;
          mutate(copy);
          await tx.save(copy, []);
        });

      await Promise.all([
        change((copy) => copy.markReady(T1, T2)),
        change((copy) => copy.markFailed(new Date(T2), 'pager: timeout')),
      ]);

      const stored = await store.orders.findById(order.id);
      expect(stored?.history.map((c) => c.status)).toEqual([
        'placed',
        'brewing',
        'ready',
        'failed',
      ]);
      expect((await store.orders.list({ status: 'ready', limit: 10 })).total).toBe(1);
    });
  });
}
