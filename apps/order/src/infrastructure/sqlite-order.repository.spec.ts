import {
  Outbox,
  outboxSchema,
  ProcessedMessages,
  processedMessagesSchema,
  SqliteDatabase,
} from '@app/storage';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Order } from '../domain/order';
import { orderRepositoryContract, type OrderStore } from '../testing/order-repository.contract';
import { orderMigrations } from './order.schema';
import { SqliteOrderRepository } from './sqlite-order.repository';

function openSqlite(dir: string, withOutbox = true) {
  const db = SqliteDatabase.open({
    path: join(dir, 'order.sqlite'),
    migrations: [processedMessagesSchema, outboxSchema, ...orderMigrations],
  });
  const outbox = new Outbox(db);
  const orders = new SqliteOrderRepository(
    db,
    new ProcessedMessages(db),
    withOutbox ? outbox : undefined,
  );
  return { db, outbox, orders };
}

orderRepositoryContract('SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'order-repo-'));
  let opened = openSqlite(dir);
  const store: OrderStore = {
    get orders() {
      return opened.orders;
    },
    pendingEvents: () => Promise.resolve(opened.outbox.pending(100).map((entry) => entry.event)),
    restart: () => {
      opened.db.close();
      opened = openSqlite(dir);
      return Promise.resolve();
    },
    close: () => {
      opened.db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
  return Promise.resolve(store);
});

describe('SqliteOrderRepository', () => {
  it('keeps no events when wired without an outbox (http)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'order-repo-'));
    const { db, outbox, orders } = openSqlite(dir, false);
    try {
      const order = Order.place({
        id: randomUUID(),
        customer: 'Ada',
        items: [{ drink: 'mocha', size: 'small', quantity: 1 }],
        correlationId: 'corr-1',
        at: new Date(),
      });
      const event = { messageId: randomUUID(), type: 'OrderPlaced', data: {} };

      await orders.transaction((tx) => tx.save(order, [event as never]));

      expect(await orders.findById(order.id)).toBeDefined();
      expect(outbox.size).toBe(0);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
