import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PgDatabase } from './pg-database';
import { StoreUnavailableError } from './store-unavailable';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('PgDatabase (real PostgreSQL)', () => {
  const schema = `pool_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  let db: PgDatabase;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await PgDatabase.open({ url, schema, poolMax: 1, connectTimeoutMs: 200, migrations: [] });
  });

  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.close();
  });

  it('says a full pool, not an unreachable server, when no connection frees up in time', async () => {
    let finish!: () => void;
    const held = db.transaction(() => new Promise<void>((resolve) => (finish = resolve)));
    try {
      const error = await db.query('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toBe(
        'the database is unavailable: no free connection within 200 ms: all 1 of the pool (DATABASE_POOL_MAX) busy, 0 more waiting',
      );
    } finally {
      finish();
      await held;
    }
    await expect(db.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('says the server is out of reach when it is', async () => {
    const away = new PgDatabase({
      url: 'postgres://postgres@127.0.0.1:1/test',
      schema,
      poolMax: 1,
      connectTimeoutMs: 200,
      migrations: [],
    });
    try {
      const error = await away.query('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).not.toMatch(/pool/);
    } finally {
      await away.close();
    }
  });
});
