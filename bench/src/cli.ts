import { parseArgs } from 'node:util';
import {
  DEFAULT_SCENARIOS,
  FAULT_KINDS,
  SCENARIOS,
  VARIANTS,
  type FaultKind,
  type ScenarioName,
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
  /** Write a V8 CPU profile of every app process into <out>/profiles. */
  readonly cpuProf: boolean;
  /** Faults the faults scenario injects; undefined: the plan's default (quick: barista only). */
  readonly faults?: FaultKind[];
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

Runs the coffee shop under TRANSPORT=http (order's defences off, and on: http+defences) and
TRANSPORT=rmq with the same open-loop workload and reports the variants side by side (terminal
table, results/<timestamp>/results.json, report.md, report.html).

Options:
  --quick               every scenario of the run briefly (the default set in a few minutes)
  --scenario <list>     comma list of ${SCENARIOS.join(', ')}, or all
                        (default: all but the opt-in soak, 3 minutes per variant, and tracing)
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
                        restarts the local RabbitMQ, rmq only) (default: all; quick: all
                        but broker)
  --tracing             run the tracing scenario: the steady load with OpenTelemetry off and
                        on in alternating rounds, spans exported to an in-process OTLP
                        receiver; CPU per order, latency, and one trace per order checked
                        (alone: only it; with --scenario: added to those listed)
  --brew-ms <n>         brew time of one order in ms, except overhead which uses 0 (default 50)
  --machines <n>        espresso machines per barista, except overhead (default 8; scale 2 so
                        that one barista is the bottleneck)
  --max-rate <n>        highest orders/s the overhead search tries (default 16000; quick 1000)
  --no-baseline         skip the bare baseline in overhead
  --system <name>       run the scenarios against nest (default) or baseline (the bare apps)
  --out <dir>           results folder (default results/<ISO timestamp>)
  --cpu-prof            write a CPU profile of every app process to <out>/profiles
                        (open in Chrome DevTools or speedscope; slows the apps a little)
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
        out: { type: 'string' },
        faults: { type: 'string' },
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
  const tracing = values.tracing ?? false;
  const listed = list(
    'scenario',
    values.scenario,
    SCENARIOS,
    tracing ? ['tracing'] : DEFAULT_SCENARIOS,
  );
  const scenarios = tracing
    ? SCENARIOS.filter((s) => listed.includes(s) || s === 'tracing')
    : listed;
  const faults =
    values.faults === undefined ? undefined : list('faults', values.faults, FAULT_KINDS);
  if (faults !== undefined && !scenarios.includes('faults'))
    throw new UsageError('--faults applies to the faults scenario, which --scenario leaves out');
  const variants =
    values.transport === undefined ? undefined : list('transport', values.transport, VARIANTS);
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
    cpuProf: values['cpu-prof'] ?? false,
    ...(faults ? { faults } : {}),
    help: values.help ?? false,
  };
}
