/**
 * What the durable stores cost per order, in CPU and wall time: the same repository classes the
 * apps use, on real files, without HTTP or AMQP around them. One order makes, in order: a save
 * with its OrderPlaced (one transaction), its share of a relay batch, two status changes each
 * with its message id; in barista a claim and one brew-log transaction; in pager one buzz
 * transaction.
 *
 *   npm run bench:sqlite                    # 20000 orders, synchronous=NORMAL, in the temp folder
 *   N=5000 SYNC=full DIR=. npm run bench:sqlite
 */
import { type CoffeeBrewed, envelope, EventTypes, type OrderPlaced } from '@app/contracts';
import {
  type Migration,
  Outbox,
  ProcessedMessages,
  SqliteDatabase,
  storageMigrations,
  type Synchronous,
} from '@app/storage';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baristaMigrations } from '../../apps/barista/src/infrastructure/barista.schema';
import { SqliteBrewLog } from '../../apps/barista/src/infrastructure/sqlite-brew-log';
import { Order } from '../../apps/order/src/domain/order';
import { orderMigrations } from '../../apps/order/src/infrastructure/order.schema';
import { SqliteOrderRepository } from '../../apps/order/src/infrastructure/sqlite-order.repository';
import { pagerMigrations } from '../../apps/pager/src/infrastructure/pager.schema';
import { SqliteBuzzRepository } from '../../apps/pager/src/infrastructure/sqlite-buzz.repository';

const N = Number(process.env.N ?? 20000);
const SYNC: Synchronous = process.env.SYNC === 'full' ? 'full' : 'normal';
const BATCH = 64;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.DIR ?? tmpdir(), 'sqlite-cost-'));
  const open = (name: string, migrations: readonly Migration[], outbox = false) =>
    SqliteDatabase.open({
      path: join(dir, `${name}.sqlite`),
      migrations: [...storageMigrations(outbox), ...migrations],
      synchronous: SYNC,
    });
  const od = open('order', orderMigrations, true);
  const bd = open('barista', baristaMigrations);
  const pd = open('pager', pagerMigrations);
  const outbox = new Outbox(od);
  const orders = new SqliteOrderRepository(od, new ProcessedMessages(od), outbox);
  const brews = new SqliteBrewLog(bd, new ProcessedMessages(bd));
  const buzzes = new SqliteBuzzRepository(pd, new ProcessedMessages(pd));
  const placed: OrderPlaced[] = [];
  const brewed: CoffeeBrewed[] = [];
  const cpuUs: Record<string, number> = {};

  const measure = async (app: string, step: string, run: (i: number) => Promise<unknown>) => {
    const cpu = process.cpuUsage();
    const wall = performance.now();
    for (let i = 0; i < N; i += 1) await run(i);
    const used = process.cpuUsage(cpu);
    const perOrder = (used.user + used.system) / N;
    cpuUs[app] = (cpuUs[app] ?? 0) + perOrder;
    const wallUs = ((performance.now() - wall) * 1000) / N;
    process.stdout.write(
      `${`${app}: ${step}`.padEnd(52)} ${perOrder.toFixed(1).padStart(6)} µs CPU ${wallUs.toFixed(1).padStart(7)} µs wall\n`,
    );
  };
  const changeStatus = (change: (order: Order) => void) => (i: number) =>
    orders.transaction(async (tx) => {
      const messageId = randomUUID();
      if (await tx.hasHandled(messageId)) return;
      const order = await tx.findById(placed[i].data.orderId);
      if (!order) throw new Error('lost an order');
      change(order);
      await tx.save(order, []);
      await tx.recordHandled(messageId);
    });

  await measure('order', 'save with OrderPlaced (1 transaction)', async (i) => {
    const at = new Date();
    const order = Order.place({
      id: randomUUID(),
      customer: `c${i}`,
      items: [{ drink: 'latte', size: 'large', quantity: 1 }],
      correlationId: randomUUID(),
      at,
    });
    const { id: orderId, customer, items, placedAt, correlationId } = order;
    const event = envelope<OrderPlaced>(
      EventTypes.OrderPlaced,
      { orderId, customer, items: [...items], placedAt },
      { correlationId },
      at,
    );
    placed.push(event);
    await orders.transaction((tx) => tx.save(order, [event]));
  });
  await measure('order', `relay: read and remove, batches of ${BATCH}`, (i) => {
    if (i % BATCH === 0) outbox.markSent(outbox.pending(BATCH).map((entry) => entry.seq));
    return Promise.resolve();
  });
  await measure(
    'order',
    'brewing: handled? read, save with message id',
    changeStatus((order) => order.startBrewing(new Date().toISOString())),
  );
  await measure(
    'order',
    'ready: handled? read, save with message id',
    changeStatus((order) => order.markReady(order.placedAt, new Date().toISOString())),
  );
  await measure('barista', 'find, claim, record brew with message id (2 tx)', async (i) => {
    const order = placed[i];
    if (await brews.find(order.data.orderId)) return;
    if (!(await brews.claim(order.data.orderId, 'b-1', 10_000))) throw new Error('not claimed');
    const now = new Date().toISOString();
    const brew = envelope<CoffeeBrewed>(
      EventTypes.CoffeeBrewed,
      { ...order.data, baristaId: 'b-1', machine: 1, startedAt: now, brewedAt: now },
      { correlationId: order.correlationId, causationId: order.messageId },
    );
    brewed.push(await brews.record(brew, order.messageId));
  });
  await measure('pager', 'record buzz with message id (1 tx)', async (i) => {
    const { data, correlationId, messageId } = brewed[i];
    const buzzedAt = new Date().toISOString();
    await buzzes.recordOnce({ ...data, buzzedAt, correlationId, messageId });
  });

  const total = Object.entries(cpuUs).map(([app, us]) => `${app} ${us.toFixed(0)} µs`);
  process.stdout.write(`CPU per order, synchronous=${SYNC}, ${N} orders: ${total.join(', ')}\n`);
  for (const db of [od, bd, pd]) db.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
