import { redact } from '@app/storage';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

/**
 * The server the bench creates its scratch databases on, as a role allowed to CREATE DATABASE;
 * each shop's apps get the same URL with their database's name. The machine's own by default.
 */
export const BENCH_POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The PostgreSQL server cannot be reached: a run that needs it stops with this one line. */
export class PostgresUnavailable extends Error {
  public override readonly name = 'PostgresUnavailable';
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  // A connection dropped meanwhile must not end the bench through an unhandled 'error'.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new PostgresUnavailable(
      `PostgreSQL does not answer at ${redact(url)} (${reason}): start it (tools/prerequisites/check.sh test starts the local one) or set BENCH_POSTGRES_URL`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The server's version (`15.20`); throws {@link PostgresUnavailable} if it does not answer. */
export function probePostgres(url = BENCH_POSTGRES_URL): Promise<string> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version.split(' ')[0] ?? 'unknown';
  });
}

/** `bench_<run>_<tag>_<random>`: lower case, within PostgreSQL's 63 bytes, never quoted wrong. */
export function databaseName(runId: string, tag: string): string {
  const clean = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const stem = `bench_${clean(runId)}_${clean(tag)}`.slice(0, 55).replace(/_+$/, '');
  return `${stem}_${randomBytes(3).toString('hex')}`;
}

/** `url` with another database in its path. */
export function urlOfDatabase(name: string, url = BENCH_POSTGRES_URL): string {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

/** Creates an empty database of the bench's own and returns its URL. */
export async function createDatabase(name: string, url = BENCH_POSTGRES_URL): Promise<string> {
  await withClient(url, (client) => client.query(`CREATE DATABASE "${name}"`));
  return urlOfDatabase(name, url);
}

/** Drops one of the bench's databases, closing whatever connections it still has. */
export async function dropDatabase(name: string, url = BENCH_POSTGRES_URL): Promise<void> {
  await withClient(url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * Drops the databases synchronously with psql, for the exit handler (no event loop left there).
 * Returns the names it could not drop.
 */
export function dropDatabasesNow(names: Iterable<string>, url = BENCH_POSTGRES_URL): string[] {
  const failed: string[] = [];
  for (const name of names) {
    try {
      execFileSync('psql', [url, '-qc', `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`], {
        stdio: 'ignore',
        timeout: 10000,
      });
    } catch {
      failed.push(name);
    }
  }
  return failed;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux in practice). */
const USER_HZ = 100;

type Read = (path: string, encoding: 'utf8') => string;
const readText: Read = (path, encoding) => readFileSync(path, encoding);

/**
 * User + system CPU seconds of a process from /proc/<pid>/stat, or null where it cannot be read
 * (gone, or not Linux). The command name may hold spaces and parentheses: the fields are counted
 * after its last closing parenthesis.
 */
export function processCpuSeconds(pid: number, read: Read = readText): number | null {
  try {
    const stat = read(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name, state is field 3; utime is 14 and stime 15 (1-based, man 5 proc).
    const utime = Number(fields[14 - 3]);
    const stime = Number(fields[15 - 3]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / USER_HZ : null;
  } catch {
    return null;
  }
}

/** The machine's CPU time so far from /proc/stat, in ticks: all of it and the busy part. */
export interface CpuTicks {
  readonly total: number;
  readonly busy: number;
}

/** Every process's CPU, other users' too; null where /proc/stat cannot be read. */
export function machineTicks(read: Read = readText): CpuTicks | null {
  try {
    const line = read('/proc/stat', 'utf8').split('\n')[0];
    if (!line.startsWith('cpu ')) return null;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = ticks;
    const busy = user + nice + system + irq + softirq + steal;
    return { total: busy + idle + iowait, busy };
  } catch {
    return null;
  }
}

/** The machine's busy share between two readings, in percent of one core (2 cores: up to 200). */
export function busyPercent(
  before: CpuTicks | null,
  after: CpuTicks | null,
  cores: number,
): number | null {
  if (!before || !after || after.total <= before.total) return null;
  const share = (after.busy - before.busy) / (after.total - before.total);
  return Math.round(share * cores * 1000) / 10;
}

/**
 * The CPU the PostgreSQL server spends on one database over a window: its backends (the
 * connections to it) and the server's background processes (WAL writer, checkpointer, ...; they
 * serve every database, so others' writes count too). Polled every second from
 * pg_stat_activity and /proc, so that a backend that ends before the window does keeps what it
 * used; one that starts inside the window counts in full. Linux with the server on this machine
 * only: null otherwise.
 */
export class ServerCpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private client: Client | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private readonly wake = new AbortController();
  private seen = false;

  constructor(
    private readonly database: string,
    private readonly url = BENCH_POSTGRES_URL,
    private readonly intervalMs = 1000,
  ) {}

  async start(): Promise<void> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      this.client = client;
    } catch {
      return;
    }
    await this.sample(true);
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      await sleep(this.intervalMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
      if (!this.stopping) await this.sample(false);
    }
  }

  private async sample(atStart: boolean): Promise<void> {
    if (!this.client) return;
    let pids: number[];
    try {
      const { rows } = await this.client.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE (datname = $1 OR datname IS NULL) AND pid <> pg_backend_pid()',
        [this.database],
      );
      pids = rows.map((row) => row.pid);
    } catch {
      return;
    }
    for (const pid of pids) {
      const seconds = processCpuSeconds(pid);
      if (seconds === null) continue;
      this.seen = true;
      if (!this.first.has(pid)) this.first.set(pid, atStart ? seconds : 0);
      this.last.set(pid, seconds);
    }
  }

  /** CPU seconds over the window, or null when /proc showed none of the server's processes. */
  async stop(): Promise<number | null> {
    await this.sample(false);
    this.stopping = true;
    this.wake.abort();
    await this.loop;
    await this.client?.end().catch(() => undefined);
    if (!this.seen) return null;
    let seconds = 0;
    for (const [pid, last] of this.last) seconds += Math.max(0, last - (this.first.get(pid) ?? 0));
    return Math.round(seconds * 100) / 100;
  }
}
