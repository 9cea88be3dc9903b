import { PgDatabase, PgOutbox, pgStorageMigrations } from '@app/storage';
import { randomUUID } from 'node:crypto';
import { orderRepositoryContract, type OrderStore } from '../testing/order-repository.contract';
import { pgOrderMigrations } from './order.schema';
import { PgOrderRepository } from './pg-order.repository';

/** The machine's PostgreSQL (trust auth); each store gets a schema of its own, dropped after. */
const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function openPg(schema: string) {
  const db = await PgDatabase.open({
    url,
    schema,
    poolMax: 4,
    migrations: [...pgStorageMigrations(true), ...pgOrderMigrations],
  });
  const outbox = new PgOutbox(db);
  return { db, outbox, orders: new PgOrderRepository(db, outbox) };
}

orderRepositoryContract('PostgreSQL', async () => {
  const schema = `order_contract_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let opened = await openPg(schema);
  const store: OrderStore = {
    get orders() {
      return opened.orders;
    },
    pendingEvents: async () => {
      const { rows } = await opened.db.query<{ event: string }>(
        'SELECT event FROM outbox ORDER BY seq',
      );
      return rows.map((row) => JSON.parse(row.event) as never);
    },
    restart: async () => {
      await opened.db.close();
      opened = await openPg(schema);
    },
    close: async () => {
      await opened.db.query(`DROP SCHEMA ${schema} CASCADE`);
      await opened.db.close();
    },
  };
  return store;
});
