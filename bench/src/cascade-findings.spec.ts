import { cascadeFinding } from './cascade-findings';
import type { RunResult, ScenarioResult } from './model';
import { countsOf, sampleScenarios } from './testing/fixtures';

/** The sample results with one fault run of one variant changed. */
function withRun(
  variant: string,
  label: string,
  change: (run: RunResult) => RunResult,
): ScenarioResult[] {
  return sampleScenarios().map((r) =>
    r.scenario === 'faults' && r.variant === variant
      ? { ...r, runs: r.runs.map((run) => (run.label === label ? change(run) : run)) }
      : r,
  );
}

describe('cascadeFinding', () => {
  it('tells the hang in plain words: waits, failures, the caller’s health, rmq’s backlog', () => {
    const finding = cascadeFinding(sampleScenarios(), 'barista-hang');

    expect(finding.holds).toBe(true);
    expect(finding.explanation).toMatch(
      /^While barista hung for 1\.5 s: http clients waited up to 2\.0 s/,
    );
    expect(finding.explanation).toContain("order's GET /orders/:id p99 went from 4 to 9 ms");
    expect(finding.explanation).toContain('up to 200 calls in flight to barista over 200 sockets');
    expect(finding.explanation).toContain('With defences (retries, breaker):');
    expect(finding.explanation).toContain(
      'rmq accepted 20 of 20 due meanwhile with accept p99 5 ms',
    );
    expect(finding.figures).toMatchObject({
      httpFailedDuringFault: 20,
      httpPeakInFlight: 200,
      rmqPeakQueue: 30,
      rmqLost: 0,
    });
  });

  it('does not hold when rmq lost an order or its accept latency did not stay flat', () => {
    const lost = withRun('rmq', 'barista-hang', (run) => ({
      ...run,
      counts: countsOf({ sent: 100, lost: 3 }),
    }));
    expect(cascadeFinding(lost, 'barista-hang').holds).toBe(false);

    const slowAccept = withRun('rmq', 'barista-hang', (run) => ({
      ...run,
      fault: run.fault && {
        ...run.fault,
        callerHealth: run.fault.callerHealth && {
          ...run.fault.callerHealth,
          clientWaitP99Ms: 900,
        },
      },
    }));
    expect(cascadeFinding(slowAccept, 'barista-hang').holds).toBe(false);
  });

  it('pager-hang holds only if barista brewed coffee for orders that then failed (http)', () => {
    expect(cascadeFinding(sampleScenarios(), 'pager-hang').explanation).toContain(
      'barista brewed 20 coffees for orders that then failed',
    );
    const noWaste = withRun('http', 'pager-hang', (run) => ({
      ...run,
      fault: run.fault && {
        ...run.fault,
        callerHealth: run.fault.callerHealth && { ...run.fault.callerHealth, wastedBrews: 0 },
      },
    }));
    expect(cascadeFinding(noWaste, 'pager-hang').holds).toBe(false);
  });

  it('is not judged without the fault under both transports', () => {
    const httpOnly = sampleScenarios().filter((r) => r.variant !== 'rmq');
    expect(cascadeFinding(httpOnly, 'barista-slow')).toMatchObject({ holds: null, figures: {} });
  });
});
