import { Client } from 'pg';

/**
 * The PostgreSQL an e2e run puts the apps on, when DATABASE_URL is set for it (e.g.
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx jest ... test/shop.e2e-spec.ts`);
 * unset, every app keeps its SQLite file, the default.
 */
export const E2E_DATABASE_URL = process.env.DATABASE_URL;

/** The DATABASE_SCHEMA_PREFIX of one test's shop: its schemas apart from every other run's. */
export function schemaPrefix(namespace: string): string {
  return `${namespace.replace(/[^a-z0-9]/g, '_')}_`;
}

/** How many rows `table` (schema-qualified) holds. */
export async function countRows(url: string, table: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

/** Drops the schemas of every context under `prefix` (the test's own, never another's). */
export async function dropSchemas(url: string, prefix: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const context of ['order', 'barista', 'pager']) {
      await client.query(`DROP SCHEMA IF EXISTS ${prefix}${context} CASCADE`);
    }
  } finally {
    await client.end();
  }
}
