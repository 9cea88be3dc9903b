import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Migration, SqliteDatabase } from './sqlite-database';

/** One row per leased name: who holds it, how often it renewed it, and when it last did. */
export const sqliteLeaseSchema: Migration = {
  id: 'storage-003-lease',
  sql: `CREATE TABLE lease (
          name TEXT PRIMARY KEY,
          holder TEXT NOT NULL,
          beats INTEGER NOT NULL,
          renewed_at INTEGER NOT NULL
        ) WITHOUT ROWID`,
};

/** How often a holder renews its lease, and how long an un-renewed lease stays its holder's. */
export interface LeaseTiming {
  readonly heartbeatMs: number;
  /** A few heartbeats, so that one late timer does not cost the lease. */
  readonly lapseMs: number;
}

const TIMING: LeaseTiming = { heartbeatMs: 2000, lapseMs: 6000 };

/** What one look at a lease held by another finds: taken, or its row and whether it renewed. */
type Look = 'taken' | { readonly row: LeaseRow; readonly alive: boolean };

interface LeaseRow {
  readonly holder: string;
  readonly beats: number;
  readonly renewed_at: number;
}

/** A live process holds the lease: it renewed it while this one waited for it to lapse. */
export class LeaseHeldError extends Error {
  constructor(
    readonly holder: string,
    /** How long ago the holder last renewed it. */
    readonly seenMsAgo: number,
  ) {
    super(`held by ${holder}, renewed ${seenMsAgo} ms ago`);
  }
}

/** Whole seconds, for the lines an operator reads. */
export const seconds = (ms: number): string => `${Math.max(0, Math.round(ms / 1000))} s`;

/**
 * Makes one process at a time the user of a SQLite file: a row in the file names the holder
 * (host, pid and a random part, so a restarted process with a recycled pid is another holder),
 * renewed every heartbeat on a timer that never keeps the process alive, deleted at a graceful
 * end. A holder killed with -9 leaves its row behind: once not renewed for the lapse period, the
 * next process takes it over. One that finds the lease fresh watches it for up to one lapse
 * period: a renewal means a live holder (refused, {@link LeaseHeldError}); none means a dead one
 * (a restart right after kill -9 finds its predecessor's row still fresh), taken over.
 */
export class SqliteLease implements OnApplicationShutdown {
  private readonly logger = new Logger(SqliteLease.name);
  private heartbeat: NodeJS.Timeout | undefined;
  private lost = false;
  /** Called once if another process took the lease over (this one was frozen past the lapse). */
  onLost: (holder: string) => void = () => undefined;

  private constructor(
    private readonly db: SqliteDatabase,
    readonly name: string,
    readonly holder: string,
    private readonly timing: LeaseTiming,
  ) {}

  /** `host:pid:random`, unique across restarts and hosts. */
  static newHolder(): string {
    return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /**
   * Takes the lease `name` on the file at `path`, waiting up to one lapse period if another
   * holder's row is fresh; then renews it every heartbeat until {@link release}.
   */
  static async acquire(
    path: string,
    name: string,
    options: { holder?: string; timing?: LeaseTiming } = {},
  ): Promise<SqliteLease> {
    // Its own connection, so the lease is renewed whatever the app's connection is doing. The
    // app's connection checkpoints on its own thread: this one must not do it inside a renewal.
    const db = SqliteDatabase.open({ path, migrations: [sqliteLeaseSchema], checkpointEveryMs: 0 });
    db.pragma('wal_autocheckpoint = 0');
    const lease = new SqliteLease(db, name, options.holder ?? this.newHolder(), {
      ...TIMING,
      ...options.timing,
    });
    try {
      await lease.take();
    } catch (error) {
      db.close();
      throw error;
    }
    lease.heartbeat = setInterval(() => lease.renew(), lease.timing.heartbeatMs).unref();
    return lease;
  }

  /** Stops renewing and gives the lease up, so that the next process need not wait. */
  release(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    if (!this.db.isOpen) return;
    try {
      this.db
        .prepare('DELETE FROM lease WHERE name = ? AND holder = ?')
        .run(this.name, this.holder);
    } catch (error) {
      this.logger.warn(`Could not release the lease on ${this.db.path}: ${String(error)}`);
    }
    this.db.close();
  }

  /** Last of the shutdown hooks: the app has stopped writing to the file by then. */
  onApplicationShutdown(): void {
    this.release();
  }

  private async take(): Promise<void> {
    const { lapseMs } = this.timing;
    const read = this.db.prepare<[string], LeaseRow>(
      'SELECT holder, beats, renewed_at FROM lease WHERE name = ?',
    );
    const write = this.db.prepare<[string, string, number]>(
      `INSERT INTO lease (name, holder, beats, renewed_at) VALUES (?, ?, 0, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, beats = 0,
         renewed_at = excluded.renewed_at`,
    );
    let watched: { row: LeaseRow; since: number } | undefined;
    // One transaction per look: two processes starting together cannot both take it.
    const attempt = this.db.transaction((): Look => {
      const row = read.get(this.name);
      const now = Date.now();
      if (
        row &&
        watched &&
        (row.holder !== watched.row.holder || row.beats !== watched.row.beats)
      ) {
        return { row, alive: true };
      }
      const lapsed =
        !row ||
        row.holder === this.holder ||
        now - row.renewed_at > lapseMs ||
        (watched !== undefined && now - watched.since >= lapseMs);
      if (!lapsed) return { row, alive: false };
      write.run(this.name, this.holder, now);
      return 'taken';
    });
    let told = false;
    for (;;) {
      const look = attempt();
      if (look === 'taken') return;
      const now = Date.now();
      const age = now - look.row.renewed_at;
      if (look.alive) throw new LeaseHeldError(look.row.holder, age);
      watched ??= { row: look.row, since: now };
      // Said once the holder is quiet for longer than it ever is while alive: a live holder is
      // refused with the caller's one line, not this one too.
      if (!told && Math.max(age, now - watched.since) > this.timing.heartbeatMs * 1.5) {
        told = true;
        this.logger.warn(
          `${this.db.path} is held by ${look.row.holder}, not renewed for ${seconds(age)}: ` +
            `waiting for it to lapse at ${seconds(lapseMs)} (its process was killed?)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, this.timing.heartbeatMs / 4));
    }
  }

  private renew(): void {
    if (this.lost || !this.db.isOpen) return;
    try {
      const renewed = this.db
        .prepare('UPDATE lease SET beats = beats + 1, renewed_at = ? WHERE name = ? AND holder = ?')
        .run(Date.now(), this.name, this.holder);
      if (renewed.changes === 1) return;
      const now = this.db
        .prepare<[string], { holder: string }>('SELECT holder FROM lease WHERE name = ?')
        .get(this.name);
      this.lost = true;
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
      this.onLost(now?.holder ?? 'nobody');
    } catch (error) {
      // Busy or failing for a moment: the next beat tries again, well within the lapse.
      this.logger.warn(`Could not renew the lease on ${this.db.path}: ${String(error)}`);
    }
  }
}
