import type { SHOP_CONTEXTS } from '@app/messaging';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pidusage from 'pidusage';
import { request } from 'undici';
import type { ProcessUsage } from './model';

/** The shop's apps the bench starts: one per consuming context. */
export type Role = (typeof SHOP_CONTEXTS)[number];

/** Where each app's entry point is: the built NestJS apps, or the bare baseline. */
export type AppEntries = Record<Role, string>;

export const NEST_ENTRIES: AppEntries = {
  order: 'dist/apps/order/main.js',
  barista: 'dist/apps/barista/main.js',
  pager: 'dist/apps/pager/main.js',
};

export const BASELINE_ENTRIES: AppEntries = {
  order: 'bench/baseline/order.js',
  barista: 'bench/baseline/barista.js',
  pager: 'bench/baseline/pager.js',
};

/** Every app process still running, so a signal or a crash of the bench can stop them all. */
const running = new Set<AppProcess>();

/** SIGKILLs every process group still running; synchronous, for exit and signal handlers. */
export function killAllNow(): number {
  let killed = 0;
  for (const app of running) {
    app.killNow();
    killed += 1;
  }
  return killed;
}

export interface SpawnOptions {
  readonly role: Role;
  readonly instance: number;
  readonly entry: string;
  readonly cwd: string;
  readonly env: Record<string, string>;
  /** Node flags before the entry (e.g. --cpu-prof). */
  readonly nodeArgs?: readonly string[];
  readonly logFile: string;
  readonly port: number;
  readonly host: string;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** The environment every app gets: ours only, plus what Node itself needs to run. */
export function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT'];
  // NO_COLOR: plain log files, without terminal colour codes.
  const env: Record<string, string> = { NODE_ENV: 'production', NO_COLOR: '1' };
  for (const key of keep) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/** One app process, in its own process group so that stopping it stops anything it started. */
export class AppProcess {
  readonly startedAt = performance.now();
  readonly exited: Promise<Exit>;
  private exit: Exit | undefined;

  private constructor(
    readonly options: SpawnOptions,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        running.delete(this);
        resolve(this.exit);
      });
      child.once('error', () => {
        this.exit = this.exit ?? { code: null, signal: null };
        running.delete(this);
        resolve(this.exit);
      });
    });
  }

  static spawn(options: SpawnOptions): AppProcess {
    const log = openSync(options.logFile, 'a');
    try {
      const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry], {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', log, log],
      });
      const app = new AppProcess(options, child);
      if (child.pid !== undefined) running.add(app);
      return app;
    } finally {
      closeSync(log);
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get name(): string {
    const { role, instance } = this.options;
    return role === 'barista' || instance > 1 ? `${role}#${instance}` : role;
  }

  get url(): string {
    return `http://${this.options.host}:${this.options.port}`;
  }

  get alive(): boolean {
    return this.exit === undefined && this.pid > 0;
  }

  /** Polls `GET /health` until it answers 200 `{status: 'ok'}`; fails fast if the process dies. */
  async waitHealthy(timeoutMs: number, transport: string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = 'no answer yet';
    while (performance.now() < deadline) {
      if (!this.alive) {
        throw new Error(
          `${this.name} exited (${describeExit(this.exit)}) before it was healthy; last log lines:\n${this.tail(15)}`,
        );
      }
      try {
        const response = await request(`${this.url}/health`, {
          headersTimeout: 1000,
          bodyTimeout: 1000,
        });
        const body: unknown = await response.body.json().catch(() => undefined);
        const record =
          typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
        if (response.statusCode === 200 && record.status === 'ok') {
          if (record.transport !== undefined && record.transport !== transport) {
            throw new Error(
              `${this.name} reports transport ${JSON.stringify(record.transport)}, expected ${transport}`,
            );
          }
          return;
        }
        last = `answered ${response.statusCode}`;
      } catch (error) {
        if (error instanceof Error && error.message.includes('reports transport')) throw error;
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(50);
    }
    throw new Error(
      `${this.name} was not healthy within ${timeoutMs} ms (${last}); last log lines:\n${this.tail(15)}`,
    );
  }

  private signal(signal: NodeJS.Signals): void {
    if (!this.alive) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      try {
        this.child.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** SIGSTOP to the group: the process is frozen; the kernel still accepts its connections. */
  freeze(): void {
    this.signal('SIGSTOP');
  }

  /** SIGCONT to the group: a frozen process runs again (a no-op for one that runs). */
  thaw(): void {
    this.signal('SIGCONT');
  }

  /** SIGTERM to the group; SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<Exit> {
    if (!this.alive) return this.exit ?? { code: null, signal: null };
    this.signal('SIGTERM');
    // A frozen process would keep the SIGTERM pending until the grace ran out.
    this.signal('SIGCONT');
    const timer = sleep(graceMs).then(() => undefined);
    const result = await Promise.race([this.exited, timer]);
    if (result) return result;
    this.signal('SIGKILL');
    return this.exited;
  }

  killNow(): void {
    this.signal('SIGKILL');
  }

  /** How the process ended (`signal SIGKILL`, `code 0`), or undefined while it runs. */
  get exitDescription(): string | undefined {
    return this.exit ? describeExit(this.exit) : undefined;
  }

  tail(lines: number): string {
    try {
      const text = readFileSync(this.options.logFile, 'utf8');
      return text.trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

function describeExit(exit: Exit | undefined): string {
  if (!exit) return 'unknown';
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

/** Kernel's peak resident set size (VmHWM) in bytes, Linux only; 0 elsewhere. */
function peakRssFromProc(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Tracked {
  readonly app: AppProcess;
  /** CPU ms at the window start; 0 for a process started inside the window (its start-up counts). */
  baseCtime: number | undefined;
  lastCtime: number;
  peakRss: number;
  /** Every RSS sample (bytes) with its time (performance.now()). */
  readonly rss: { at: number; bytes: number }[];
  /** V8 heap used after the last major GC, from the app's /metrics (NestJS apps only). */
  readonly heap: { at: number; bytes: number }[];
  /** False once the app showed it has no such metric (the bare baseline): not asked again. */
  heapScraped: boolean;
}

/** One app's resident memory over a window: every sample, all its incarnations in time order. */
export interface MemorySeries {
  readonly role: string;
  readonly instance: number;
  readonly points: { readonly at: number; readonly bytes: number }[];
  /** Heap used after the last major GC, when sampled and exposed by the app. */
  readonly heap?: { readonly at: number; readonly bytes: number }[];
}

/** The gauge each NestJS app exports (libs/platform metrics), set after every major GC. */
export const HEAP_AFTER_GC_METRIC = 'nodejs_heap_used_after_major_gc_bytes';

/**
 * The value of a gauge with one series (any labels, such as the apps' default `service` label) in
 * a Prometheus text exposition; null when it is absent, or 0 (before the first major GC).
 */
export function gaugeValue(exposition: string, name: string): number | null {
  const line = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(exposition);
  const value = line ? Number(line[1]) : NaN;
  return Number.isFinite(value) && value > 0 ? value : null;
}

export interface SamplerOptions {
  /** How often to sample (default 500 ms). */
  readonly intervalMs?: number;
  /** Also scrape each app's heap after the last major GC from its /metrics (soak). */
  readonly heap?: boolean;
}

/**
 * CPU time and peak memory of each app process over a measured window, sampled with pidusage.
 * Processes that are restarted inside the window (outage) add up per role and instance.
 */
export class ResourceSampler {
  private readonly tracked: Tracked[] = [];
  private windowStart: number | undefined;
  private windowEnd: number | undefined;
  private timer: Promise<void> | undefined;
  private stopping = false;
  private readonly wake = new AbortController();

  private readonly intervalMs: number;

  constructor(private readonly options: SamplerOptions = {}) {
    this.intervalMs = options.intervalMs ?? 500;
  }

  track(app: AppProcess): void {
    this.tracked.push({
      app,
      baseCtime: this.windowStart === undefined ? undefined : 0,
      lastCtime: 0,
      peakRss: 0,
      rss: [],
      heap: [],
      heapScraped: this.options.heap === true,
    });
  }

  async start(): Promise<void> {
    await this.sampleAll();
    for (const entry of this.tracked) entry.baseCtime = entry.lastCtime;
    this.windowStart = performance.now();
    this.timer = this.loop();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      await sleep(this.intervalMs, undefined, { signal: this.wake.signal }).catch(() => undefined);
      if (!this.stopping) await this.sampleAll();
    }
  }

  private async sampleAll(): Promise<void> {
    await Promise.all(
      this.tracked
        .filter((entry) => entry.app.alive)
        .map(async (entry) => {
          try {
            const stat = await pidusage(entry.app.pid);
            entry.rss.push({ at: performance.now(), bytes: stat.memory });
            entry.lastCtime = Math.max(entry.lastCtime, stat.ctime);
            entry.peakRss = Math.max(entry.peakRss, stat.memory, peakRssFromProc(entry.app.pid));
          } catch {
            // Exited between the check and the sample: keep its last figures.
          }
          if (entry.heapScraped) await this.sampleHeap(entry);
        }),
    );
  }

  private async sampleHeap(entry: Tracked): Promise<void> {
    try {
      const response = await request(`${entry.app.url}/metrics`, {
        headersTimeout: this.intervalMs,
        bodyTimeout: this.intervalMs,
      });
      const text = await response.body.text();
      if (response.statusCode === 404) {
        entry.heapScraped = false;
        return;
      }
      const bytes = response.statusCode === 200 ? gaugeValue(text, HEAP_AFTER_GC_METRIC) : null;
      if (bytes !== null) entry.heap.push({ at: performance.now(), bytes });
    } catch {
      // Busy, restarting or gone: this sample is skipped, the next one asks again.
    }
  }

  async stop(): Promise<void> {
    await this.sampleAll();
    this.windowEnd = performance.now();
    this.stopping = true;
    this.wake.abort();
    await this.timer;
    pidusage.clear();
  }

  /** The RSS samples of each role and instance (restarted processes joined), in time order. */
  memory(): MemorySeries[] {
    type Point = { at: number; bytes: number };
    const groups = new Map<
      string,
      { role: string; instance: number; points: Point[]; heap: Point[] }
    >();
    for (const entry of this.tracked) {
      const { role, instance } = entry.app.options;
      const key = `${role}#${instance}`;
      const group = groups.get(key) ?? { role, instance, points: [], heap: [] };
      group.points.push(...entry.rss);
      group.heap.push(...entry.heap);
      groups.set(key, group);
    }
    const byTime = (a: { at: number }, b: { at: number }) => a.at - b.at;
    return [...groups.values()].map(({ heap, ...group }) => ({
      ...group,
      points: [...group.points].sort(byTime),
      ...(heap.length > 0 ? { heap: [...heap].sort(byTime) } : {}),
    }));
  }

  usage(): ProcessUsage[] {
    const windowMs = Math.max(1, (this.windowEnd ?? performance.now()) - (this.windowStart ?? 0));
    const groups = new Map<
      string,
      { role: string; instance: number; pids: number[]; cpuMs: number; rss: number }
    >();
    for (const entry of this.tracked) {
      const { role, instance } = entry.app.options;
      const key = `${role}#${instance}`;
      const group = groups.get(key) ?? { role, instance, pids: [], cpuMs: 0, rss: 0 };
      group.pids.push(entry.app.pid);
      group.cpuMs += Math.max(0, entry.lastCtime - (entry.baseCtime ?? 0));
      group.rss = Math.max(group.rss, entry.peakRss);
      groups.set(key, group);
    }
    const order: Record<string, number> = { order: 0, barista: 1, pager: 2 };
    return [...groups.values()]
      .sort((a, b) => (order[a.role] ?? 9) - (order[b.role] ?? 9) || a.instance - b.instance)
      .map((group) => ({
        role: group.role,
        instance: group.instance,
        pids: group.pids,
        cpuSeconds: Math.round(group.cpuMs) / 1000,
        cpuPercent: Math.round((group.cpuMs / windowMs) * 1000) / 10,
        peakRssMb: Math.round((group.rss / 1024 / 1024) * 10) / 10,
      }));
  }
}
