import { DEFAULT_AMQP_URL } from '@app/platform';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { BrokerUnavailable, deleteNamespace, probeBroker } from './broker';
import { restoreBrokerNow } from './broker-control';
import { parseCli, USAGE, UsageError } from './cli';
import { computeFindings } from './findings';
import { gitState, machineInfo, packageVersions } from './machine';
import { SCENARIOS, transportOf, VARIANTS, type BenchResults, type ScenarioResult } from './model';
import { buildPlan, clusterScenarios, needsPostgres, type VariantPlan } from './plan';
import { dropDatabase, dropDatabasesNow, probePostgres, PostgresUnavailable } from './postgres';
import { localCluster, settleClusterNow } from './local-cluster';
import { profilesMarkdown, summarizeProfiles } from './profiles';
import { BASELINE_ENTRIES, killAllNow, NEST_ENTRIES } from './processes';
import { Progress } from './progress';
import { htmlReport, loadChartJs } from './report/html';
import { jsonReport } from './report/json';
import { markdownReport } from './report/markdown';
import { terminalReport } from './report/table';
import { EXECUTION_ORDER, SCENARIO_RUNNERS, Shop, type RunContext } from './scenarios';
import { baselineMissing } from './scenarios/overhead';

/** Thrown for a run that cannot start (missing build, no broker): one line, exit 1. */
class CannotRun extends Error {}

function timestampFolder(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

function write(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function run(argv: string[]): Promise<number> {
  const options = parseCli(argv);
  if (options.help) {
    write(USAGE);
    return 0;
  }
  const plan = buildPlan(options);
  if (options.dryRun) {
    write(JSON.stringify({ command: `npm run bench -- ${argv.join(' ')}`.trim(), plan }, null, 2));
    return 0;
  }
  const cwd = process.cwd();
  const entries = options.system === 'baseline' ? BASELINE_ENTRIES : NEST_ENTRIES;
  const missing = Object.values(entries).filter((entry) => !existsSync(join(cwd, entry)));
  if (missing.length > 0) {
    throw new CannotRun(
      options.system === 'baseline'
        ? `${missing.join(', ')} not found: the bare baseline is missing`
        : `${missing.join(', ')} not found: build the apps first with \`npm run build\` (\`npm run bench\` does), and run from the repository root`,
    );
  }
  const amqpUrl = process.env.AMQP_URL?.trim() || DEFAULT_AMQP_URL;
  const progress = new Progress();
  let rabbitmq: string | null = null;
  if (plan.variants.some(({ variant }) => variant === 'rmq')) rabbitmq = await probeBroker(amqpUrl);
  // Asked before anything starts, so that a run needing PostgreSQL without one stops with a line.
  const postgres = options.system === 'nest' && needsPostgres(plan) ? await probePostgres() : null;

  const startedAt = new Date();
  const outDir = resolve(options.out ?? join('results', timestampFolder(startedAt)));
  const logDir = join(outDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 2)
    .toString(36)
    .padStart(2, '0')}`;
  const controller = new AbortController();
  // Started by the first scenario that needs it; stopped after the last one (or at the end).
  const usesCluster = options.system === 'nest' ? clusterScenarios(plan) : [];
  const cluster = usesCluster.length > 0 ? localCluster() : undefined;
  if (cluster) clusterToSettle = () => settleClusterNow(cluster.owed(), cwd);
  const ctx: RunContext = {
    plan,
    cwd,
    logDir,
    dataDir: join(outDir, 'data'),
    ...(options.cpuProf ? { profileDir: join(outDir, 'profiles') } : {}),
    amqpUrl,
    runId,
    progress,
    namespaces: new Set(),
    databases: new Set(),
    abort: controller.signal,
    ...(cluster ? { cluster } : {}),
  };

  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) {
      killAllNow();
      process.exit(130);
    }
    progress.log(
      `\n${signal}: stopping the run, its processes and its queues (again to force) ...`,
    );
    controller.abort();
    // Never hang on the way out: the scenario's own clean-up has a few seconds, then force it.
    setTimeout(() => {
      killAllNow();
      void Promise.all([
        ...[...ctx.namespaces].map((ns) => deleteNamespace(amqpUrl, ns)),
        ...[...ctx.databases].map((name) => dropDatabase(name).catch(() => undefined)),
      ]).finally(() => process.exit(130));
    }, 15000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  databasesToDrop = ctx.databases;

  const skipped = plan.scenarios.includes('overhead')
    ? baselineMissing(cwd, plan.baseline)
    : undefined;
  progress.log(
    `bench ${plan.quick ? '(quick) ' : ''}: ${describeVariants(plan.variants, plan.scenarios)}; results in ${relative(cwd, outDir) || '.'}` +
      (skipped ? `; baseline ${skipped}` : ''),
  );
  const scenarios: ScenarioResult[] = [];
  const errors: string[] = [];
  try {
    // One shop per variant, as a user would run it; scenarios reconfigure its baristas.
    for (const { variant, scenarios: planned } of plan.variants) {
      if (controller.signal.aborted) break;
      const transport = transportOf(variant);
      const shop = new Shop(ctx, options.system, entries, variant, 'shop');
      try {
        for (const scenario of EXECUTION_ORDER.filter((name) => planned.includes(name))) {
          if (controller.signal.aborted) break;
          const started = performance.now();
          try {
            const result = await SCENARIO_RUNNERS[scenario](ctx, transport, shop);
            scenarios.push(result);
            progress.log(`${variant} ${scenario}: done in ${result.wallSeconds.toFixed(1)} s`);
            // The cluster's nodes would take CPU from the scenarios after its last use.
            if (cluster && variant === 'rmq' && scenario === usesCluster.at(-1)) {
              for (const problem of await cluster.close()) errors.push(`cluster: ${problem}`);
            }
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            errors.push(`${variant} ${scenario}: ${message}`);
            scenarios.push({
              scenario,
              transport,
              variant,
              runs: [],
              error: message,
              wallSeconds: (performance.now() - started) / 1000,
            });
            progress.log(`${variant} ${scenario}: FAILED: ${message}`);
            // A failed scenario may leave the shop in any state: start the next one afresh.
            await shop.close();
          }
        }
      } finally {
        await shop.close();
      }
    }
  } finally {
    progress.clear();
    killAllNow();
    for (const namespace of ctx.namespaces) {
      const problems = await deleteNamespace(amqpUrl, namespace);
      for (const problem of problems) errors.push(`cleanup: ${problem}`);
    }
    for (const name of [...ctx.databases]) {
      try {
        await dropDatabase(name);
        ctx.databases.delete(name);
      } catch (error) {
        errors.push(
          `cleanup: database ${name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    for (const problem of (await cluster?.close()) ?? []) errors.push(`cluster: ${problem}`);
    clusterToSettle = undefined;
  }
  scenarios.sort(
    (a, b) =>
      SCENARIOS.indexOf(a.scenario) - SCENARIOS.indexOf(b.scenario) ||
      VARIANTS.indexOf(a.variant) - VARIANTS.indexOf(b.variant),
  );
  if (controller.signal.aborted) errors.push('interrupted by a signal: the figures are partial');

  const results: BenchResults = {
    tool: 'coffee-shop bench',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench --${argv.length > 0 ? ` ${argv.join(' ')}` : ''}`,
    options: { ...options, plan },
    machine: { ...machineInfo(rabbitmq), ...(postgres ? { postgres } : {}) },
    versions: packageVersions(cwd),
    git: gitState(cwd),
    scenarios,
    findings: computeFindings(scenarios),
    errors,
  };
  writeFileSync(join(outDir, 'results.json'), jsonReport(results));
  writeFileSync(join(outDir, 'report.md'), markdownReport(results));
  writeFileSync(join(outDir, 'report.html'), htmlReport(results, loadChartJs()));
  write(terminalReport(results));
  if (ctx.profileDir && existsSync(ctx.profileDir)) {
    const summaries = summarizeProfiles(ctx.profileDir);
    writeFileSync(join(ctx.profileDir, 'summary.md'), profilesMarkdown(summaries));
    writeFileSync(join(ctx.profileDir, 'summary.json'), `${JSON.stringify(summaries, null, 2)}\n`);
    write(
      `\nCPU profiles: ${summaries.length} in ${relative(cwd, ctx.profileDir)}, where the time goes in summary.md`,
    );
  }
  write(
    `\nresults: ${join(relative(cwd, outDir) || '.', 'results.json')}, report.md, report.html (logs in ${relative(cwd, logDir)})`,
  );
  if (errors.length > 0)
    write(
      `\n${errors.length} error(s):\n${errors.map((e) => `  - ${e.split('\n')[0]}`).join('\n')}`,
    );
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return controller.signal.aborted ? 130 : errors.length > 0 ? 1 : 0;
}

/** `steady, outage × http, rmq; http+defences: steady, outage`, for the first progress line. */
function describeVariants(variants: VariantPlan[], scenarios: string[]): string {
  const everything = variants.filter((v) => v.scenarios.length === scenarios.length);
  const some = variants.filter((v) => v.scenarios.length !== scenarios.length);
  return [
    ...(everything.length > 0
      ? [`${scenarios.join(', ')} × ${everything.map((v) => v.variant).join(', ')}`]
      : []),
    ...some.map((v) => `${v.variant}: ${v.scenarios.join(', ')}`),
  ].join('; ');
}

/** Set while a run may leave the local cluster started or a node of it down. */
let clusterToSettle: (() => string[]) | undefined;

/** The run's scratch PostgreSQL databases not dropped yet (emptied as each shop drops its own). */
let databasesToDrop: Set<string> | undefined;

process.on('exit', () => {
  killAllNow();
  if (clusterToSettle) {
    const failed = clusterToSettle();
    process.stderr.write(
      failed.length === 0
        ? 'bench: the local RabbitMQ cluster was put back as the run found it\n'
        : `bench: could not put the local RabbitMQ cluster back: run ${failed.join('; ')}\n`,
    );
  }
  if (databasesToDrop && databasesToDrop.size > 0) {
    const failed = dropDatabasesNow(databasesToDrop);
    process.stderr.write(
      failed.length === 0
        ? `bench: dropped ${databasesToDrop.size} scratch database(s)\n`
        : `bench: could not drop the scratch database(s) ${failed.join(', ')}: drop them with psql\n`,
    );
  }
  // The faults scenario starts the broker again itself; this covers a forced exit meanwhile.
  if (restoreBrokerNow()) process.stderr.write('bench: RabbitMQ started again (start_app)\n');
});

// Exit explicitly: idle keep-alive sockets must not keep a finished run alive.
run(process.argv.slice(2)).then(
  (code) => {
    process.exit(code);
  },
  (error: unknown) => {
    killAllNow();
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message} (see --help)\n`);
      process.exitCode = 2;
    } else if (
      error instanceof BrokerUnavailable ||
      error instanceof CannotRun ||
      error instanceof PostgresUnavailable
    ) {
      process.stderr.write(`bench: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    }
    process.exit();
  },
);
