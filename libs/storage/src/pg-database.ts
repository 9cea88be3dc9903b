import { ConfigError, type CheckResult, type ReadinessCheck } from '@app/platform';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Client, Pool, type QueryResult, type QueryResultRow } from 'pg';
import type { Migration } from './sqlite-database';
import { asStoreError, StoreUnavailableError } from './store-unavailable';

/** What a query can run on: the pool, or the connection of a transaction in progress. */
export interface Queryable {
  query<Row extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<QueryResult<Row>>;
}

export interface PgOpenOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** The schema this context owns; created if missing, and the only one its queries see. */
  readonly schema: string;
  /** The most connections this instance opens. */
  readonly poolMax: number;
  /** This context's steps, in order: plain PostgreSQL, applied once per schema. */
  readonly migrations: readonly Migration[];
  /** Names the connections in `pg_stat_activity`. */
  readonly applicationName?: string;
  /** How long to wait for a connection (a new one, or a free one from a full pool). */
  readonly connectTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * One context's PostgreSQL store: a bounded pool of connections whose `search_path` is the
 * context's own schema, so its tables are named plainly and no other context's are in reach.
 * `init` (Nest's onModuleInit, before any handler runs) connects and brings the schema up to
 * date; a wrong or unreachable URL fails there with one line naming DATABASE_URL.
 *
 * Several instances of a context share the schema: every write that must happen once (a
 * message handled, a brew claimed, an outbox row published) is decided by the database (a
 * unique key, a row lock), never by one process's memory.
 */
export class PgDatabase implements OnModuleInit, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'database';
  private readonly logger = new Logger(PgDatabase.name);
  private readonly pool: Pool;
  private closed = false;

  constructor(private readonly options: PgOpenOptions) {
    if (!SCHEMA_NAME.test(options.schema)) {
      throw new ConfigError(`Not a schema name for PostgreSQL: ${JSON.stringify(options.schema)}`);
    }
    this.pool = new Pool({
      connectionString: options.url,
      max: options.poolMax,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      application_name: options.applicationName ?? `coffee-shop ${options.schema}`,
      // The schema is checked above: a plain identifier, safe inside the startup option; quoted,
      // since a context's name may be a reserved word (order).
      options: `-c search_path="${options.schema}"`,
      // A transaction left open (a relay waiting on the broker, a process frozen) must not hold
      // its row locks for ever: the server ends the session instead.
      idle_in_transaction_session_timeout: 60_000,
    });
    // An idle connection dropped by the server (a restart): the pool discards it and opens a
    // new one on the next query. Without a listener the error would end the process.
    this.pool.on('error', (error) =>
      this.logger.warn(`A PostgreSQL connection was lost: ${describe(error)}`),
    );
  }

  /** Opens and migrates (for tools and tests that run without Nest). */
  static async open(options: PgOpenOptions): Promise<PgDatabase> {
    const database = new PgDatabase(options);
    await database.onModuleInit();
    return database;
  }

  get schema(): string {
    return this.options.schema;
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.migrate();
    } catch (error) {
      await this.pool.end().catch(() => undefined);
      this.closed = true;
      // One line for the operator: which setting, and what the server (or the network) said.
      throw new ConfigError(
        `DATABASE_URL=${redact(this.options.url)}: cannot open schema ${this.schema} (${describe(error)})`,
      );
    }
  }

  /** One statement on a pooled connection; a database out of reach rejects with a {@link StoreUnavailableError}. */
  async query<Row extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<QueryResult<Row>> {
    try {
      return await this.pool.query<Row>(sql, params);
    } catch (error) {
      throw this.storeError(error);
    }
  }

  /**
   * Runs `work` in one transaction on one connection (READ COMMITTED): committed if it
   * resolves, rolled back if it throws (the error is passed on; a database out of reach as a
   * {@link StoreUnavailableError}). Queries inside must go through the `tx` given, not the pool.
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw this.storeError(error);
    });
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollback: Error) => (broken = rollback));
      throw asStoreError(error);
    } finally {
      // A connection that could not even roll back is destroyed, not reused.
      client.release(broken);
    }
  }

  /**
   * A database out of reach as a {@link StoreUnavailableError}. pg says "timeout exceeded when
   * trying to connect" both when the server does not answer and when every connection of a full
   * pool stayed busy: the second is load, not an outage, and the operator's knob is the pool's
   * size, so it is named.
   */
  private storeError(error: unknown): unknown {
    const { totalCount, waitingCount } = this.pool;
    const poolWait =
      error instanceof Error &&
      /timeout exceeded when trying to connect/i.test(error.message) &&
      totalCount >= this.options.poolMax;
    if (!poolWait) return asStoreError(error);
    const timeout = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return new StoreUnavailableError(
      new Error(
        `no free connection within ${timeout} ms: all ${totalCount} of the pool (DATABASE_POOL_MAX) busy, ${waitingCount} more waiting`,
        { cause: error },
      ),
    );
  }

  /** Readiness (`GET /health`'s `database`): up while a connection answers within a second. */
  async check(): Promise<CheckResult> {
    const base = { store: 'postgres', schema: this.schema };
    try {
      await withTimeout(this.pool.query('SELECT 1'), 1000);
      const { totalCount, idleCount, waitingCount } = this.pool;
      return {
        status: 'up',
        ...base,
        pool: { open: totalCount, idle: idleCount, waiting: waitingCount },
      };
    } catch (error) {
      return { status: 'down', ...base, error: describe(error) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Last of the shutdown hooks: handlers and relays have stopped writing by then. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
    this.logger.debug(`Closed the pool of ${this.schema}`);
  }

  /**
   * Creates the schema and applies the missing steps, all in one transaction under an advisory
   * lock on the schema's name: instances starting together queue here, and each one after the
   * first finds the steps recorded and does nothing. A failing step rolls every step back.
   */
  private async migrate(): Promise<void> {
    const ids = this.options.migrations.map((migration) => migration.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new Error(`migration ${twice} is listed twice`);
    await this.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `coffee-shop migrations ${this.schema}`,
      ]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const applied = await tx.query<{ id: string }>('SELECT id FROM schema_migrations');
      const done = new Set(applied.rows.map((row) => row.id));
      for (const migration of this.options.migrations) {
        if (done.has(migration.id)) continue;
        await tx.query(migration.sql);
        await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [migration.id]);
        this.logger.log(`Applied ${migration.id} to schema ${this.schema}`);
      }
    });
  }
}

/**
 * Connects once to `url` and disconnects: a wrong or unreachable DATABASE_URL stops the app here,
 * with one line (a {@link ConfigError}), before the app starts and logs anything else.
 */
export async function checkDatabaseUrl(url: string, timeoutMs = 5000): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A connection dropped while checking must not end the process through an unhandled 'error'.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new ConfigError(
      `DATABASE_URL=${redact(url)}: no PostgreSQL database answers there (${describe(error)})`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

function describe(error: unknown): string {
  const { message, code, errors } = (error ?? {}) as {
    message?: unknown;
    code?: unknown;
    errors?: unknown;
  };
  // Node reports a refused connection to a name with several addresses as an AggregateError
  // with an empty message.
  if (typeof message === 'string' && message !== '') return message;
  if (Array.isArray(errors) && errors.length > 0) return describe(errors[0]);
  return typeof code === 'string' ? code : String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
