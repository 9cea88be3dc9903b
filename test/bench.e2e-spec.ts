import { SHOP_CONTEXTS, topology } from '@app/messaging';
import { connect } from 'amqplib';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brewTapQueue } from '../bench/src/broker';
import type { BenchResults } from '../bench/src/model';
import { AMQP_URL } from './support/amqp';
import { ensureBuilt } from './support/scaled-shop';

const ROOT = join(__dirname, '..');
// The quick run's default set: every scenario but the opt-in soak (checked on its own below).
const SCENARIOS = ['steady', 'outage', 'scale', 'burst', 'overhead', 'faults'] as const;
const TRANSPORTS = ['http', 'rmq'] as const;
const VARIANTS = ['http', 'http+defences', 'rmq'] as const;
/**
 * http with order's defences on runs where they show: the outage and the killed barista, and
 * steady for their cost.
 */
const DEFENDED_SCENARIOS = ['steady', 'outage', 'faults'] as const;

/** Runs a command to completion, keeping its output for the failure message. */
function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: process.env });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a queue exists: checkQueue on a missing one closes its channel with 404. */
async function queueExists(queue: string): Promise<boolean> {
  const connection = await connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    try {
      await channel.checkQueue(queue);
      await channel.close();
      return true;
    } catch {
      return false;
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

describe('npm run bench -- --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  let results: BenchResults;
  let output = '';

  beforeAll(async () => {
    await ensureBuilt();
    const bench = await run('npm', ['run', 'bench:run', '--', '--quick', '--out', out]);
    output = bench.output;
    if (bench.code !== 0)
      throw new Error(`the bench exited with ${bench.code}:\n${output.slice(-4000)}`);
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
  }, 480_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures every scenario under both transports, and http+defences beside http, without errors', () => {
    expect(results.errors).toEqual([]);
    const expected = [
      ...SCENARIOS.flatMap((scenario) => TRANSPORTS.map((variant) => ({ scenario, variant }))),
      ...DEFENDED_SCENARIOS.map((scenario) => ({ scenario, variant: 'http+defences' })),
    ];
    for (const { scenario, variant } of expected) {
      const result = results.scenarios.find(
        (r) => r.scenario === scenario && r.variant === variant,
      );
      expect({
        scenario,
        variant,
        error: result?.error,
        runs: result?.runs.length ?? 0,
      }).toEqual({
        scenario,
        variant,
        error: undefined,
        runs: expect.any(Number),
      });
      expect(result?.runs.length).toBeGreaterThan(0);
    }
    expect(results.scenarios).toHaveLength(expected.length);
  });

  it('keeps the counts consistent in every run: sent = accepted + failed, accepted = completed + lost', () => {
    for (const result of results.scenarios) {
      for (const run of result.runs) {
        const c = run.counts;
        const where = `${result.variant} ${result.scenario} ${run.label}`;
        expect({ where, sent: c.sent }).toEqual({ where, sent: c.accepted + c.failed });
        expect({ where, accepted: c.accepted }).toEqual({ where, accepted: c.completed + c.lost });
        expect({ where, failed: c.failed }).toEqual({
          where,
          failed: Object.values(c.failedBy).reduce((a, b) => a + b, 0),
        });
        expect(c.sent).toBeGreaterThan(0);
        expect(c.duplicated).toBeGreaterThanOrEqual(0);
        expect(run.clientLatency.count).toBe(c.accepted);
        expect(run.buzzLatency.count).toBe(c.completed);
        // The pager's own count agrees with the stream the bench listened to.
        if (run.pagerBuzzTotal !== null)
          expect({ where, buzzes: run.pagerBuzzTotal }).toEqual({
            where,
            buzzes: run.streamBuzzes,
          });
        for (const usage of run.processes) expect(usage.peakRssMb).toBeGreaterThan(0);
      }
    }
  });

  it('records what each scenario is about', () => {
    const find = (scenario: string, variant: string) =>
      results.scenarios.find((r) => r.scenario === scenario && r.variant === variant);
    for (const transport of TRANSPORTS) {
      expect(find('scale', transport)?.runs.map((r) => [r.label, r.params.baristas])).toEqual([
        ['x1', 1],
        ['x3', 3],
      ]);
      const outage = find('outage', transport)?.runs[0].outage;
      expect(outage?.healthyAtMs).toBeGreaterThan(outage?.stoppedAtMs ?? Infinity);
      expect(outage?.duringOutage.sent).toBeGreaterThan(0);
      const overhead = find('overhead', transport);
      expect(overhead?.steps?.length).toBeGreaterThan(0);
      expect(overhead?.steps?.every((s) => s.run.params.brewMs === 0)).toBe(true);
    }
    // faults (quick: all but the broker restart, which would restart the shared RabbitMQ).
    for (const variant of VARIANTS) {
      const runs = find('faults', variant)?.runs ?? [];
      expect(runs.map((r) => r.label)).toEqual([
        'barista-kill',
        'barista-hang',
        'barista-slow',
        'pager-hang',
      ]);
      const fault = runs[0].fault;
      expect(fault?.exit).toBe('signal SIGKILL');
      expect(fault?.healthyAtMs).toBeGreaterThan(fault?.injectedAtMs ?? Infinity);
      expect(fault?.duringFault.sent).toBeGreaterThan(0);
      expect(fault?.recovery.normalShareBySecond.length).toBeGreaterThan(0);
    }
    // The hung and slowed callees: a series per second with the caller's health, under each variant.
    for (const variant of VARIANTS) {
      for (const run of (find('faults', variant)?.runs ?? []).slice(1)) {
        const where = `${variant} ${run.label}`;
        const fault = run.fault;
        expect(fault?.healthyAtMs).toBeGreaterThan(fault?.injectedAtMs ?? Infinity);
        expect(fault?.series?.length).toBe(run.timeline.length);
        expect(fault?.series?.some((s) => s.getOrderMs !== null)).toBe(true);
        expect(fault?.callerHealth?.getOrderDuringP99Ms).toEqual(expect.any(Number));
        if (variant === 'rmq') {
          // Frozen or slowed, the callee delays coffee only: every order accepted, none lost.
          expect({ where, failed: run.counts.failed, lost: run.counts.lost }).toEqual({
            where,
            failed: 0,
            lost: 0,
          });
          expect(fault?.callerHealth?.peakBaristaInFlight).toBeNull();
        } else {
          // Order counted what it held open towards the callee.
          expect(fault?.callerHealth?.peakBaristaInFlight).toEqual(expect.any(Number));
        }
      }
      const hang = find('faults', variant)?.runs[1];
      if (variant !== 'rmq') expect(hang?.counts.failedByHop.barista ?? 0).toBeGreaterThan(0);
    }
    const syncKill = find('faults', 'http')?.runs[0];
    const defendedKill = find('faults', 'http+defences')?.runs[0];
    const asyncKill = find('faults', 'rmq')?.runs[0];
    // Sync: the orders due while barista was dead fail, and nobody watches a broker for rebrews.
    expect(syncKill?.fault?.duringFault.failed).toBeGreaterThan(0);
    expect(syncKill?.fault?.brewedTwice).toBeNull();
    expect(syncKill?.downstreamCalls?.barista.retries).toBe(0);
    // With the defences on, order ran them through the kill and counted every call.
    expect([syncKill?.params.httpDefences, defendedKill?.params.httpDefences]).toEqual([
      'off',
      'on',
    ]);
    expect(defendedKill?.downstreamCalls?.barista.calls).toBe(defendedKill?.counts.sent);
    expect(defendedKill?.fault?.brewedTwice).toBeNull();
    // Async: they are accepted, and the unacknowledged ones are redelivered: none lost.
    expect(asyncKill?.fault?.duringFault.failed).toBe(0);
    expect(asyncKill?.counts.lost).toBe(0);
    expect(asyncKill?.fault?.brewedTwice).toEqual(expect.any(Number));
    expect(find('steady', 'rmq')?.runs[0].peakQueueDepth).not.toBeNull();
    expect(find('steady', 'http')?.runs[0].peakQueueDepth).toBeNull();
    // Order ran with its defences off for http, on for http+defences, and counted its calls.
    const plain = find('outage', 'http')?.runs[0];
    const defended = find('outage', 'http+defences')?.runs[0];
    expect([plain?.params.httpDefences, defended?.params.httpDefences]).toEqual(['off', 'on']);
    expect(find('outage', 'rmq')?.runs[0].params.httpDefences).toBeNull();
    expect(plain?.downstreamCalls?.barista.failedFast).toBe(0);
    expect(plain?.downstreamCalls?.barista.retries).toBe(0);
    expect(defended?.downstreamCalls?.barista.calls).toBe(defended?.counts.sent);
    expect(defended?.outage?.duringOutage.sent).toBeGreaterThan(0);
    expect(find('outage', 'rmq')?.runs[0].downstreamCalls).toBeNull();
    // Figures for the article's claims are computed whatever they show.
    const ids = results.findings.map((f) => f.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'outage-sync-fails-async-loses-none',
        'sync-defences-do-not-decouple',
        'async-latency-independent-of-brew',
        'more-baristas-raise-async-throughput',
        'barista-hang-cascade',
        'barista-slow-cascade',
        'pager-hang-cascade',
      ]),
    );
    for (const finding of results.findings.slice(0, 4))
      expect(typeof finding.holds).toBe('boolean');
    expect(results.machine.cpus).toBeGreaterThan(0);
    expect(results.versions['@nestjs/core']).toMatch(/^\d+\./);
  });

  it('writes the reports and prints the side-by-side table', () => {
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const scenario of SCENARIOS) {
      expect(md).toContain(`## ${scenario}:`);
      expect(html).toContain(`<section id="${scenario}">`);
    }
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    for (const variant of VARIANTS)
      expect(html).toContain(`caller health, ${variant} barista-hang`);
    expect(output).toContain('== findings');
  });

  it('leaves no process and no queue behind', async () => {
    const pids = results.scenarios.flatMap((r) =>
      r.runs.flatMap((run) => run.processes.flatMap((p) => p.pids)),
    );
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.filter(alive)).toEqual([]);
    const namespaces = new Set(
      results.scenarios.flatMap((r) =>
        r.runs.filter((run) => run.params.transport === 'rmq').map((run) => run.params.namespace),
      ),
    );
    expect(namespaces.size).toBeGreaterThan(0);
    for (const namespace of namespaces) {
      const names = topology(namespace);
      const queues = [
        ...SHOP_CONTEXTS.map((context) => names.queue(context)),
        names.deadLetterQueue,
        brewTapQueue(namespace),
      ];
      for (const queue of queues) {
        expect({ queue, exists: await queueExists(queue) }).toEqual({ queue, exists: false });
      }
    }
  });
});

describe('npm run bench -- --dry-run', () => {
  it('plans the node-loss faults and the replication scenario without starting anything', async () => {
    const args = ['--dry-run', '--scenario', 'faults,replication'];
    const faults = ['--faults', 'broker-node-loss,broker-node-kill'];
    const dry = await run('npm', ['run', '--silent', 'bench:run', '--', ...args, ...faults]);
    expect(dry.code).toBe(0);
    const { plan } = JSON.parse(dry.output) as {
      plan: {
        variants: { variant: string; scenarios: string[] }[];
        faults: { kinds: string[]; nodeLoss: { queueTypes: string[] } };
        replication: { systems: { name: string; replicas: number }[] };
      };
    };
    // Replication compares brokers: rmq only; the node faults are planned for every variant and
    // skipped where they do not apply.
    expect(plan.variants).toEqual([
      { variant: 'http', scenarios: ['faults'] },
      { variant: 'http+defences', scenarios: ['faults'] },
      { variant: 'rmq', scenarios: ['faults', 'replication'] },
    ]);
    expect(plan.faults.kinds).toEqual(['broker-node-loss', 'broker-node-kill']);
    expect(plan.faults.nodeLoss.queueTypes).toEqual(['quorum', 'classic']);
    expect(plan.replication.systems.map((s) => [s.name, s.replicas])).toEqual([
      ['single classic', 1],
      ['cluster quorum', 3],
      ['cluster classic', 1],
    ]);
  }, 120_000);
});

describe('npm run bench -- --store postgres --dry-run', () => {
  it('plans scale-out and store-cost under rmq on PostgreSQL, and refuses an unknown store in one line', async () => {
    const args = ['--dry-run', '--store', 'postgres', '--scenario', 'steady,scale-out,store-cost'];
    const dry = await run('npm', ['run', '--silent', 'bench:run', '--', ...args]);
    expect(dry.code).toBe(0);
    const { plan } = JSON.parse(dry.output) as {
      plan: {
        store: string;
        variants: { variant: string; scenarios: string[] }[];
        scaleOut: { instances: number[] };
        storeCost: { sequence: string[] };
      };
    };
    expect(plan.store).toBe('postgres');
    expect(plan.variants).toEqual([
      { variant: 'http', scenarios: ['steady'] },
      { variant: 'http+defences', scenarios: ['steady'] },
      { variant: 'rmq', scenarios: ['steady', 'scale-out', 'store-cost'] },
    ]);
    expect(plan.scaleOut.instances).toEqual([1, 2, 3]);
    expect(plan.storeCost.sequence).toEqual(['sqlite', 'postgres', 'postgres', 'sqlite']);
    const bad = await run('npm', ['run', '--silent', 'bench:run', '--', '--store', 'mysql']);
    expect(bad.code).toBe(2);
    expect(bad.output.trim()).toBe(
      'bench: unknown store "mysql": use sqlite or postgres (see --help)',
    );
  }, 120_000);
});

describe('npm run bench -- --quick --scenario soak', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-soak-e2e-'));
  let results: BenchResults;

  beforeAll(async () => {
    await ensureBuilt();
    const args = ['--quick', '--scenario', 'soak', '--duration', '3', '--out', out];
    const bench = await run('npm', ['run', 'bench:run', '--', ...args]);
    if (bench.code !== 0)
      throw new Error(`the bench exited with ${bench.code}:\n${bench.output.slice(-4000)}`);
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
  }, 180_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('samples every service’s memory over the run and says why so short a soak is not judged', () => {
    expect(results.errors).toEqual([]);
    expect(results.scenarios.map((r) => r.variant)).toEqual(VARIANTS);
    for (const variant of VARIANTS) {
      const result = results.scenarios.find((r) => r.scenario === 'soak' && r.variant === variant);
      const soak = result?.runs[0]?.soak;
      expect(soak?.services.map((s) => s.service)).toEqual(['order', 'barista#1', 'pager']);
      for (const service of soak?.services ?? []) {
        expect(service.series.length).toBeGreaterThan(2);
        expect(service.startMb).toBeGreaterThan(0);
        expect(service.peakMb).toBeGreaterThanOrEqual(Math.max(service.startMb, service.endMb));
        expect(service.grows).toBeNull();
      }
      expect(soak?.flagged).toBeNull();
      expect(soak?.verdict).toMatch(/^not judged: /);
      const c = result?.runs[0]?.counts;
      expect(c && c.sent === c.accepted + c.failed && c.accepted === c.completed + c.lost).toBe(
        true,
      );
    }
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## soak:');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    for (const variant of VARIANTS) expect(html).toContain(`soak memory, ${variant}:`);
  });
});
