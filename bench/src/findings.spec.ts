import {
  computeFindings,
  defencesFinding,
  latencyFinding,
  outageFinding,
  scaleFinding,
} from './findings';
import type { RunResult, ScenarioResult } from './model';
import { countsOf, latencyOf, runOf, sampleScenarios, withNodeLoss } from './testing/fixtures';

const byId = (results: ScenarioResult[], id: string) =>
  computeFindings(results).find((f) => f.id === id);

describe('findings', () => {
  it('hold on results that show the article’s claims', () => {
    // Classic queues lose orders with the node: the node-loss finding reports it for contrast, and
    // the other faults' finding is not about it.
    const findings = computeFindings(withNodeLoss(sampleScenarios()));
    expect(findings.map((f) => [f.id, f.holds])).toEqual([
      ['outage-sync-fails-async-loses-none', true],
      ['sync-defences-do-not-decouple', true],
      ['async-latency-independent-of-brew', true],
      ['more-baristas-raise-async-throughput', true],
      ['nest-rmq-at-least-half-of-bare', true],
      ['nest-http-at-least-half-of-bare', true],
      ['rmq-accept-p99-under-10ms-at-1000', true],
      ['faults-rmq-nothing-lost-or-duplicated', true],
      ['soak-memory-flat-after-warmup', true],
      ['barista-hang-cascade', true],
      ['barista-slow-cascade', true],
      ['pager-hang-cascade', true],
      ['tracing-one-trace-per-order-cost-measured', true],
      ['broker-node-loss-quorum-loses-nothing', true],
      ['replication-costs-delivery-not-accept', true],
      ['more-instances-raise-throughput-until-the-cores-run-out', true],
      ['postgres-costs-more-cpu-per-order-than-sqlite', true],
    ]);
    for (const finding of findings) expect(Object.keys(finding.figures).length).toBeGreaterThan(0);
  });

  it('outage: does not hold when async lost orders', () => {
    const results = sampleScenarios().map((r) =>
      r.scenario === 'outage' && r.transport === 'rmq'
        ? { ...r, runs: [{ ...r.runs[0], counts: countsOf({ sent: 100, lost: 7 }) }] }
        : r,
    );
    const finding = outageFinding(results);
    expect(finding.holds).toBe(false);
    expect(finding.figures.rmqLostTotal).toBe(7);
  });

  it('outage: does not hold when sync came through the outage unharmed', () => {
    const results = sampleScenarios().map((r) => {
      if (r.scenario !== 'outage' || r.transport !== 'http') return r;
      const run = r.runs[0];
      const outage = run.outage
        ? {
            ...run.outage,
            duringOutage: { sent: 30, accepted: 30, failed: 0, completed: 30, lost: 0 },
          }
        : undefined;
      return { ...r, runs: [{ ...run, outage }] };
    });
    expect(outageFinding(results).holds).toBe(false);
  });

  /** The sample results with http+defences' outage run changed by `change`. */
  const withDefendedOutage = (change: (run: RunResult) => RunResult) =>
    sampleScenarios().map((r) =>
      r.scenario === 'outage' && r.variant === 'http+defences'
        ? { ...r, runs: [change(r.runs[0])] }
        : r,
    );

  it('defences: compares the outage with and without them, figures from both runs', () => {
    const finding = defencesFinding(sampleScenarios());
    expect(finding.holds).toBe(true);
    expect(finding.figures).toMatchObject({
      httpFailedDuringOutage: 30,
      defendedFailedDuringOutage: 24,
      defendedFailedFast: 26,
      defendedBaristaRequests: 81,
      httpBaristaRequests: 100,
      defendedFailedOnceBack: 2,
    });
    expect(finding.explanation).toMatch(/failed 26 orders without a request/);
  });

  it('defences: does not hold when the circuit never opened', () => {
    const finding = defencesFinding(
      withDefendedOutage((run) => ({
        ...run,
        downstreamCalls: { barista: { calls: 100, attempts: 300, retries: 200, failedFast: 0 } },
      })),
    );
    expect(finding.holds).toBe(false);
    expect(finding.explanation).toMatch(/did not open/);
  });

  it('defences: does not hold when the retries carried every order through the outage', () => {
    const finding = defencesFinding(
      withDefendedOutage((run) => ({
        ...run,
        outage: run.outage && {
          ...run.outage,
          duringOutage: { sent: 30, accepted: 30, failed: 0, completed: 30, lost: 0 },
        },
      })),
    );
    expect(finding.holds).toBe(false);
    expect(finding.explanation).toMatch(/retries carried every order/);
  });

  it('latency: does not hold when the async client waited for the brew', () => {
    const results = sampleScenarios().map((r) =>
      r.scenario === 'steady' && r.transport === 'rmq'
        ? { ...r, runs: [runOf('rmq', { clientLatency: latencyOf(52, 70) })] }
        : r,
    );
    expect(latencyFinding(results).holds).toBe(false);
  });

  it('scale: explains when the rate never needed a second barista', () => {
    const results = sampleScenarios().map((r) =>
      r.scenario === 'scale' && r.transport === 'rmq'
        ? {
            ...r,
            runs: r.runs.map((run) => ({
              ...run,
              params: { ...run.params, machines: 50 },
              throughput: { ...run.throughput, completedPerSec: 100 },
            })),
          }
        : r,
    );
    const finding = scaleFinding(results);
    expect(finding.holds).toBe(false);
    expect(finding.explanation).toMatch(/did not exceed one barista's capacity/);
  });

  it('are "not measured" (null) when a scenario or transport was not run', () => {
    const onlyHttp = sampleScenarios().filter((r) => r.transport === 'http');
    expect(byId(onlyHttp, 'outage-sync-fails-async-loses-none')?.holds).toBeNull();
    expect(byId(onlyHttp, 'more-baristas-raise-async-throughput')?.holds).toBeNull();
    const withoutDefences = sampleScenarios().filter((r) => r.variant !== 'http+defences');
    expect(byId(withoutDefences, 'sync-defences-do-not-decouple')?.holds).toBeNull();
    expect(byId([], 'async-latency-independent-of-brew')?.holds).toBeNull();
  });

  it('ignore a scenario that failed', () => {
    const results = sampleScenarios().map((r) =>
      r.scenario === 'steady' && r.transport === 'rmq' ? { ...r, error: 'boom' } : r,
    );
    expect(latencyFinding(results).holds).toBeNull();
  });
});
