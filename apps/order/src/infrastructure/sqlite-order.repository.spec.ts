import { envelope, EventTypes, type OrderPlaced } from '@app/contracts';
import {
  Outbox,
  outboxSchema,
  ProcessedMessages,
  processedMessagesSchema,
  SqliteDatabase,
} from '@app/storage';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Order } from '../domain/order';
import { orderMigrations } from './order.schema';
import { SqliteOrderRepository } from './sqlite-order.repository';

const T0 = '2025-01-01T10:00:00.000Z';
const T1 = '2025-01-01T10:00:01.000Z';
const T2 = '2025-01-01T10:00:02.000Z';

function anOrder(customer: string, at = T0): Order {
  return Order.place({
    id: randomUUID(),
    customer,
    items: [{ drink: 'mocha', size: 'small', quantity: 2 }],
    correlationId: `corr-${customer}`,
    at: new Date(at),
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

describe('SqliteOrderRepository', () => {
  let dir: string;
  let db: SqliteDatabase;
  let outbox: Outbox;
  let orders: SqliteOrderRepository;

  const open = (withOutbox = true) => {
    db = SqliteDatabase.open({
      path: join(dir, 'order.sqlite'),
      migrations: [processedMessagesSchema, outboxSchema, ...orderMigrations],
    });
    outbox = new Outbox(db);
    orders = new SqliteOrderRepository(
      db,
      new ProcessedMessages(db),
      withOutbox ? outbox : undefined,
    );
  };
  const restart = () => {
    db.close();
    open();
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'order-repo-'));
    open();
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores an order with its items, status and history, and finds it after a restart', async () => {
    const order = anOrder('Ada');
    await orders.save(order);
    order.startBrewing(T1);
    await orders.save(order);
    restart();

    const found = await orders.findById(order.id);
    expect(found?.view()).toEqual(order.view());
    expect(found?.status).toBe('brewing');
    expect(await orders.findById(randomUUID())).toBeUndefined();
  });

  it('lists the newest first, optionally of one status, with how many match', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((name) => anOrder(name));
    for (const order of [a, b, c]) await orders.save(order);
    b.markReady(T1, T2);
    await orders.save(b);

    const all = await orders.list({ limit: 2 });
    expect(all.orders.map((o) => o.customer)).toEqual(['c', 'b']);
    expect(all.total).toBe(3);
    const ready = await orders.list({ status: 'ready', limit: 10 });
    expect(ready.orders.map((o) => o.customer)).toEqual(['b']);
    expect(ready.total).toBe(1);
    expect((await orders.list({ status: 'placed', limit: 10 })).total).toBe(2);
  });

  it('counts the orders of every status, zero included', async () => {
    expect(await orders.countByStatus()).toEqual({ placed: 0, brewing: 0, ready: 0, failed: 0 });
    const [a, b, c] = ['a', 'b', 'c'].map((name) => anOrder(name));
    for (const order of [a, b, c]) await orders.save(order);
    a.startBrewing(T1);
    b.markReady(T1, T2);
    for (const order of [a, b]) await orders.save(order);

    expect(await orders.countByStatus()).toEqual({ placed: 1, brewing: 1, ready: 1, failed: 0 });
  });

  it('keeps the changes of two copies saved one after the other (events handled at once)', async () => {
    const order = anOrder('Ada');
    await orders.save(order);
    const first = (await orders.findById(order.id))!;
    const second = (await orders.findById(order.id))!;

    second.markReady(T1, T2);
    await orders.save(second);
    first.startBrewing(T1); // this copy does not know it is ready
    await orders.save(first);

    const stored = await orders.findById(order.id);
    expect(stored?.status).toBe('ready');
    expect(stored?.view().history.map((change) => change.status)).toEqual([
      'placed',
      'brewing',
      'ready',
    ]);
    expect((await orders.list({ status: 'ready', limit: 10 })).total).toBe(1);
  });

  it('stores the events of a save in the outbox, with the order or not at all', async () => {
    const order = anOrder('Ada');
    const event = placed(order);
    await orders.save(order, { events: [event] });
    expect(outbox.pending(10).map((entry) => entry.event)).toEqual([event]);

    const broken = anOrder('Bob');
    const unstorable = { ...placed(broken), data: {} as Record<string, unknown> };
    unstorable.data.self = unstorable; // JSON.stringify throws inside the transaction
    await expect(
      orders.save(broken, { events: [unstorable as unknown as OrderPlaced] }),
    ).rejects.toThrow(/circular/);
    expect(await orders.findById(broken.id)).toBeUndefined();
    expect(outbox.size).toBe(1);
  });

  it('keeps no events when wired without an outbox (http)', async () => {
    db.close();
    open(false);
    const order = anOrder('Ada');

    await orders.save(order, { events: [placed(order)] });

    expect(await orders.findById(order.id)).toBeDefined();
    expect(outbox.size).toBe(0);
  });

  it('records the handled message with the change, also across a restart', async () => {
    const order = anOrder('Ada');
    await orders.save(order);
    order.startBrewing(T1);
    await orders.save(order, { handledMessageId: 'message-1' });
    restart();

    expect(await orders.hasHandled('message-1')).toBe(true);
    expect(await orders.hasHandled('message-2')).toBe(false);
  });
});
