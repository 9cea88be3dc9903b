import { type Migration, PgDatabase } from '@app/storage';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { Client } from 'pg';

/**
 * The PostgreSQL the tests use: TEST_DATABASE_URL, else the machine's own (trust auth, database
 * `test`). `tools/prerequisites/check.sh test` (npm's pretest) makes sure it answers.
 */
export const TEST_DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A schema prefix no other run uses (`DATABASE_SCHEMA_PREFIX`): the runs of other engineers and
 * of CI share the server, so each names its schemas apart and drops them afterwards.
 */
export function uniquePrefix(): string {
  return `t${process.pid}_${randomBytes(4).toString('hex')}_`;
}

/** Drops every schema whose name starts with `prefix` (the schemas one run created). */
export async function dropSchemasByPrefix(prefix: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      'SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)',
      [prefix],
    );
    for (const { name } of rows) await client.query(`DROP SCHEMA "${name}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Opens (and migrates) `schema` on the test server with a small pool. */
export function openTestSchema(
  schema: string,
  migrations: readonly Migration[],
  poolMax = 4,
): Promise<PgDatabase> {
  return PgDatabase.open({ url: TEST_DATABASE_URL, schema, poolMax, migrations });
}

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

/**
 * A database of one test run's own on the test server, created empty and dropped with its
 * connections at the end: for apps that run as processes and keep their schemas unprefixed.
 */
export class ScratchDatabase {
  private constructor(
    readonly name: string,
    readonly url: string,
  ) {}

  static async create(prefix = 'shop_test'): Promise<ScratchDatabase> {
    const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
    await onTestServer((client) => client.query(`CREATE DATABASE "${name}"`));
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    return new ScratchDatabase(name, url.toString());
  }

  /** Runs one statement in this database. */
  async query<T extends Record<string, unknown>>(
    sql: string,
    values: unknown[] = [],
  ): Promise<T[]> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  async drop(): Promise<void> {
    await onTestServer((client) =>
      client.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`),
    );
  }
}

async function onTestServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * `pg_ctlcluster <version> main <action>` on the machine's own PostgreSQL (Debian's layout), for
 * tests that restart it: each starts it again in a `finally` ({@link ensurePostgresRunning}).
 */
export function pgCtlCluster(action: 'start' | 'stop' | 'restart' | 'status'): string {
  const [version] = readdirSync('/etc/postgresql');
  if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql');
  return execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', action], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
}

/** Starts the machine's PostgreSQL if it is not running. */
export function ensurePostgresRunning(): void {
  try {
    pgCtlCluster('status');
  } catch {
    pgCtlCluster('start');
  }
}
