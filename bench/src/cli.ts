import { parseArgs } from 'node:util';
import {
  DEFAULT_SCENARIOS,
  FAULT_KINDS,
  QUICK_SCENARIOS,
  RMQ_ONLY_SCENARIOS,
  SCENARIOS,
  STORES,
  VARIANTS,
  type FaultKind,
  type ScenarioName,
  type Store,
  type Variant,
} from './model';

/** A command line that cannot describe a meaningful run; main prints it on one line, exit 2. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
}

export interface BenchOptions {
  readonly quick: boolean;
  readonly scenarios: ScenarioName[];
  /** What --transport named (http, http+defences, rmq); undefined: the plan's default. */
  readonly variants?: Variant[];
  /** Orders per second for steady, outage, scale, burst (its base rate), faults and soak. */
  readonly rate?: number;
  /** Seconds of load for steady, outage, scale (each variant), burst, faults (each) and soak. */
  readonly durationS?: number;
  readonly brewMs?: number;
  readonly machines?: number;
  /** Highest rate the overhead search may try. */
  readonly maxRate?: number;
  readonly out?: string;
  readonly baseline: boolean;
  /** Which apps the scenarios run against: the NestJS apps (default) or the bare baseline. */
  readonly system: 'nest' | 'baseline';
  /**
   * Where the apps keep their state in every scenario but scale-out and store-cost (which choose
   * their own): a SQLite file per process (default) or a new PostgreSQL database per shop.
   */
  readonly store: Store;
  /** Write a V8 CPU profile of every app process into <out>/profiles. */
  readonly cpuProf: boolean;
  /** Faults the faults scenario injects; undefined: the plan's default (quick: barista only). */
  readonly faults?: FaultKind[];
  /** Print the plan (what would run, with every parameter) and exit without starting anything. */
  readonly dryRun?: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

Runs the coffee shop under TRANSPORT=http (order's defences off, and on: http+defences) and
TRANSPORT=rmq with the same open-loop workload and reports the variants side by side (terminal
table, results/<timestamp>/results.json, report.md, report.html).

Options:
  --quick               every scenario of the run briefly (the default set but replication,
                        in a few minutes)
  --scenario <list>     comma list of ${SCENARIOS.join(', ')}, or all
                        (default: all but the opt-in soak, 3 minutes per variant, and
                        tracing). replication (rmq only) compares the machine's broker with
                        classic queues against a local 3-node cluster with quorum (and
                        classic) queues; it and the node faults start that cluster (a minute
                        or more). scale-out and store-cost (rmq only, opt-in, they need
                        PostgreSQL): 1, 2, 3 instances of order and barista on one
                        database, each searched for its highest sustainable rate, with
                        the machine's CPU; the CPU per order of SQLite against
                        PostgreSQL, alternating A B B A
  --transport <list>    comma list of ${VARIANTS.join(', ')}, or all (default: http and
                        rmq for every scenario, http+defences for steady, outage, faults
                        and soak). http runs order with HTTP_DEFENCES=off (no retries, no
                        circuit breaker), http+defences with them on
  --rate <n>            orders/s for steady, outage, scale, burst's base, faults and soak
                        (default 100, soak 50; quick 50, scale quick 60)
  --duration <s>        seconds of load for steady, outage, scale (each variant), burst,
                        faults (each fault) and soak (default 20, 20, 10, 12, 20, 180;
                        quick 2, 4, 1.5, 2, 6, 8)
  --faults <list>       faults the faults scenario injects, comma list of barista (kill -9
                        mid-load, started again), barista-hang (SIGSTOP for a few seconds,
                        then SIGCONT), barista-slow (brew time x10 for a while), pager-hang
                        (SIGSTOP pager), broker (rabbitmqctl stop_app, then start_app:
                        restarts the local RabbitMQ, rmq only), broker-node-loss and
                        broker-node-kill (on a local 3-node cluster the bench starts, the
                        node leading barista's queue stopped with stop_app, or killed
                        with kill -9, then started again; quorum and classic queues; rmq
                        only) (default: all; quick: all but the broker and node faults)
  --tracing             run the tracing scenario: the steady load with OpenTelemetry off and
                        on in alternating rounds, spans exported to an in-process OTLP
                        receiver; CPU per order, latency, and one trace per order checked
                        (alone: only it; with --scenario: added to those listed)
  --brew-ms <n>         brew time of one order in ms, except overhead which uses 0 (default 50)
  --machines <n>        espresso machines per barista, except overhead (default 8; scale 2 so
                        that one barista is the bottleneck)
  --max-rate <n>        highest orders/s the overhead search tries (default 16000; quick 1000)
  --no-baseline         skip the bare baseline in overhead
  --store <name>        sqlite (default: a SQLite file per app process) or postgres (each
                        shop on a new database of its own on BENCH_POSTGRES_URL, default
                        postgres://postgres@127.0.0.1:5432/postgres, dropped afterwards)
  --system <name>       run the scenarios against nest (default) or baseline (the bare apps)
  --out <dir>           results folder (default results/<ISO timestamp>)
  --cpu-prof            write a CPU profile of every app process to <out>/profiles
                        (open in Chrome DevTools or speedscope; slows the apps a little)
  --dry-run             print the plan (what would run, every parameter) as JSON and exit
                        without building, starting or measuring anything
  -h, --help            this text
`;

function number(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) {
    throw new UsageError(`--${flag} takes a number, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function positive(flag: string, raw: string | undefined): number | undefined {
  const value = number(flag, raw);
  if (value !== undefined && value <= 0) {
    throw new UsageError(`--${flag} must be greater than 0, got ${raw}`);
  }
  return value;
}

function wholeInRange(flag: string, raw: string | undefined, min: number, max: number) {
  const value = number(flag, raw);
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new UsageError(`--${flag} takes a whole number from ${min} to ${max}, got ${raw}`);
  }
  return value;
}

function list<T extends string>(
  flag: string,
  raw: string | undefined,
  known: readonly T[],
  fallback: readonly T[] = known,
): T[] {
  if (raw === undefined) return [...fallback];
  if (raw.trim() === 'all') return [...known];
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0)
    throw new UsageError(`--${flag} needs at least one of ${known.join(', ')}`);
  for (const name of names) {
    if (!(known as readonly string[]).includes(name)) {
      throw new UsageError(`unknown ${flag} "${name}": use ${known.join(', ')} or all`);
    }
  }
  // Keep the canonical order so reports read the same whatever order the flag listed.
  return known.filter((name) => names.includes(name));
}

const VALUED = [
  'scenario',
  'transport',
  'system',
  'rate',
  'duration',
  'brew-ms',
  'machines',
  'max-rate',
  'out',
  'faults',
  'store',
];

/** `--rate -5` → `--rate=-5`, so that a negative value is refused as negative, not as "ambiguous". */
function joinNegativeValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (
      VALUED.includes(arg.replace(/^--/, '')) &&
      arg.startsWith('--') &&
      next !== undefined &&
      /^-\d|^-\.\d/.test(next)
    ) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: joinNegativeValues(argv),
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: 'boolean', default: false },
        scenario: { type: 'string' },
        transport: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string' },
        'brew-ms': { type: 'string' },
        machines: { type: 'string' },
        'max-rate': { type: 'string' },
        'no-baseline': { type: 'boolean', default: false },
        'cpu-prof': { type: 'boolean', default: false },
        tracing: { type: 'boolean', default: false },
        system: { type: 'string' },
        store: { type: 'string' },
        out: { type: 'string' },
        faults: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = message.split('\n')[0].replace(/^\w*Error \[\w+\]: /, '');
    throw new UsageError(line.replace(/\. To specify.*$/, ''));
  }
}

/** Parses and validates the flags; throws {@link UsageError} before anything is started. */
export function parseCli(argv: string[]): BenchOptions {
  const values = parseFlags(argv);
  const rate = positive('rate', values.rate);
  const durationS = positive('duration', values.duration);
  const maxRate = positive('max-rate', values['max-rate']);
  if (rate !== undefined && rate > 100000)
    throw new UsageError(`--rate above 100000 is not meaningful here, got ${rate}`);
  if (durationS !== undefined && durationS > 3600)
    throw new UsageError(`--duration is in seconds and at most 3600, got ${durationS}`);
  if (values.out !== undefined && values.out.trim() === '')
    throw new UsageError('--out needs a directory');
  const system = values.system ?? 'nest';
  if (system !== 'nest' && system !== 'baseline') {
    throw new UsageError(`unknown system "${system}": use nest or baseline`);
  }
  const store = values.store ?? 'sqlite';
  if (!(STORES as readonly string[]).includes(store)) {
    throw new UsageError(`unknown store "${store}": use ${STORES.join(' or ')}`);
  }
  if (system === 'baseline' && store !== 'sqlite') {
    throw new UsageError(
      '--store postgres needs the NestJS apps: the bare baseline keeps no store (drop --system baseline)',
    );
  }
  const tracing = values.tracing ?? false;
  // The bare baseline has no AMQP_QUEUE_TYPE: replication is for the NestJS apps only.
  const defaults = (values.quick ? QUICK_SCENARIOS : DEFAULT_SCENARIOS).filter(
    (s) => system !== 'baseline' || !RMQ_ONLY_SCENARIOS.includes(s),
  );
  const listed = list('scenario', values.scenario, SCENARIOS, tracing ? ['tracing'] : defaults);
  const scenarios = tracing
    ? SCENARIOS.filter((s) => listed.includes(s) || s === 'tracing')
    : listed;
  const faults =
    values.faults === undefined ? undefined : list('faults', values.faults, FAULT_KINDS);
  if (faults !== undefined && !scenarios.includes('faults'))
    throw new UsageError('--faults applies to the faults scenario, which --scenario leaves out');
  const variants =
    values.transport === undefined ? undefined : list('transport', values.transport, VARIANTS);
  if (
    variants &&
    !variants.includes('rmq') &&
    scenarios.every((s) => RMQ_ONLY_SCENARIOS.includes(s))
  )
    throw new UsageError(
      `${scenarios.join(', ')} ${scenarios.length > 1 ? 'run' : 'runs'} under rmq only: add rmq to --transport`,
    );
  const nestOnly = scenarios.filter((s) => RMQ_ONLY_SCENARIOS.includes(s));
  if (system === 'baseline' && nestOnly.length > 0)
    throw new UsageError(
      `${nestOnly.join(', ')} ${nestOnly.length > 1 ? 'need' : 'needs'} the NestJS apps: the bare baseline has no AMQP_QUEUE_TYPE and no store (drop --system baseline)`,
    );
  if (system === 'baseline' && variants?.includes('http+defences')) {
    throw new UsageError(
      'http+defences needs the NestJS apps: the bare baseline has no defences (drop --system baseline)',
    );
  }
  return {
    quick: values.quick ?? false,
    scenarios,
    ...(variants ? { variants } : {}),
    rate,
    durationS,
    brewMs: wholeInRange('brew-ms', values['brew-ms'], 0, 600000),
    machines: wholeInRange('machines', values.machines, 1, 1000),
    maxRate,
    out: values.out,
    baseline: !(values['no-baseline'] ?? false),
    system,
    store: store as Store,
    cpuProf: values['cpu-prof'] ?? false,
    ...(faults ? { faults } : {}),
    dryRun: values['dry-run'] ?? false,
    help: values.help ?? false,
  };
}
