import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Checkpointer } from './checkpointer';

/**
 * How hard a commit pushes data to the disk. `normal` (the default): in WAL mode a commit is
 * written to the WAL file, through the OS, before it returns, so it survives a crash of the
 * process (kill -9) but not necessarily of the machine (power loss, kernel panic: the last
 * commits since the WAL was last synced may roll back; the file stays consistent). `full` syncs
 * the WAL on every commit: it survives power loss too, at the price of an fsync per commit.
 */
export type Synchronous = 'normal' | 'full';

/** One step of a schema, applied once per database file and recorded as applied. */
export interface Migration {
  /** Unique, and never changed once shipped (e.g. `order-001-orders`): it marks the step done. */
  readonly id: string;
  readonly sql: string;
}

export interface OpenOptions {
  /** A file path (its folder is created), or `:memory:` for a database that dies with the process. */
  readonly path: string;
  readonly migrations: readonly Migration[];
  readonly synchronous?: Synchronous;
  /** How long to wait for another process's write lock on the same file before failing. */
  readonly busyTimeoutMs?: number;
  /**
   * How often a worker thread checkpoints the WAL into the database file (see
   * {@link Checkpointer}); 0 leaves it to SQLite, inside the commits. Files only.
   */
  readonly checkpointEveryMs?: number;
}

/**
 * One SQLite database file of one app, opened in WAL mode (readers never block the writer, and a
 * commit appends to the log instead of rewriting pages) with its schema brought up to date.
 * better-sqlite3 is synchronous: a statement or a whole transaction runs without yielding to the
 * event loop, so no other handler's work can interleave with it.
 */
export class SqliteDatabase implements OnApplicationShutdown {
  private readonly logger = new Logger(SqliteDatabase.name);

  private checkpointer: Checkpointer | undefined;

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
  ) {}

  static open(options: OpenOptions): SqliteDatabase {
    const { path } = options;
    let db: Database.Database;
    try {
      if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      // Small transactions write whole pages to the WAL (about 11 kB per order saved here); after
      // a burst, let the WAL shrink back to this once it has been checkpointed.
      db.pragma('journal_size_limit = 33554432');
    } catch (error) {
      throw new Error(`Cannot open the database ${path}: ${describe(error)}`);
    }
    const database = new SqliteDatabase(path, db);
    try {
      database.migrate(options.migrations);
    } catch (error) {
      db.close();
      throw new Error(`Cannot bring the database ${path} up to date: ${describe(error)}`);
    }
    const every = options.checkpointEveryMs ?? 200;
    if (path !== ':memory:' && every > 0) {
      db.pragma('wal_autocheckpoint = 0');
      database.checkpointer = Checkpointer.start(resolve(path), every, (error) => {
        if (!db.open) return; // closed meanwhile: nothing left to checkpoint
        database.logger.warn(`Checkpoints back in the commits of ${path}: ${describe(error)}`);
        database.checkpointer = undefined;
        if (db.open) db.pragma('wal_autocheckpoint = 1000');
      });
    }
    return database;
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Readiness (`GET /health`'s `database`): the file is open. */
  check(): { status: 'up' | 'down'; store: 'sqlite'; path: string } {
    return { status: this.db.open ? 'up' : 'down', store: 'sqlite', path: this.path };
  }

  prepare<Params extends unknown[] = unknown[], Row = unknown>(
    sql: string,
  ): Database.Statement<Params, Row> {
    return this.db.prepare<Params, Row>(sql);
  }

  /**
   * Wraps `work` so that each call runs as one transaction (BEGIN IMMEDIATE: it takes the write
   * lock up front, so processes sharing the file wait for each other instead of failing on an
   * upgrade). Create it once and call it often; a call inside another transaction nests.
   */
  transaction<Args extends unknown[], Result>(
    work: (...args: Args) => Result,
  ): (...args: Args) => Result {
    const transaction = this.db.transaction(work);
    return (...args: Args) => transaction.immediate(...args);
  }

  pragma(name: string): unknown {
    return this.db.pragma(name, { simple: true });
  }

  /**
   * Closes the connection, which checkpoints what is left, and tells the checkpoint thread to
   * stop (it closes its own connection by itself; a checkpoint cut short is safe in SQLite).
   */
  close(): void {
    void this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.db.open) this.db.close();
  }

  /** Last of the shutdown hooks: handlers and relays have stopped writing by then. */
  async onApplicationShutdown(): Promise<void> {
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    this.close();
    this.logger.debug(`Closed ${this.path}`);
  }

  private migrate(migrations: readonly Migration[]): void {
    const ids = migrations.map((migration) => migration.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new Error(`migration ${twice} is listed twice`);
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL) WITHOUT ROWID',
    );
    const applied = this.db.prepare<[string], { id: string }>(
      'SELECT id FROM schema_migrations WHERE id = ?',
    );
    const record = this.db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
    // One transaction per step, checked inside it: two processes opening one file apply it once.
    const apply = this.transaction((migration: Migration) => {
      if (applied.get(migration.id)) return;
      this.db.exec(migration.sql);
      record.run(migration.id, new Date().toISOString());
    });
    for (const migration of migrations) apply(migration);
  }
}

function describe(error: unknown): string {
  // Not `instanceof Error`: the native module's errors come from another realm under jest.
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/**
 * Runs synchronous database work for a method that promises its result (a repository port), so
 * that a failure rejects the promise instead of throwing at the caller.
 */
export function promised<T>(work: () => T): Promise<T> {
  // The executor's throw becomes the rejection.
  return new Promise((resolve) => resolve(work()));
}
