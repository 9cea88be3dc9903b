import type { ScenarioResult } from './model';
import { faultsFinding, soakFinding } from './resilience-findings';
import { faultRunOf, sampleScenarios, soakRunOf } from './testing/fixtures';

function withRmqFaults(runs: ScenarioResult['runs']): ScenarioResult[] {
  return sampleScenarios().map((r) =>
    r.scenario === 'faults' && r.transport === 'rmq' ? { ...r, runs } : r,
  );
}

describe('faultsFinding', () => {
  it('holds when every rmq fault run completed every accepted order exactly once', () => {
    const finding = faultsFinding(sampleScenarios());
    expect(finding.holds).toBe(true);
    expect(finding.figures).toMatchObject({
      rmqBaristaKillLost: 0,
      rmqBrokerRestartBrewedTwice: 0,
      httpBaristaKillFailed: 20,
      httpBaristaKillBrewedTwice: null,
    });
    expect(finding.explanation).toContain('For contrast, http: barista-kill failed 20 of 100');
  });

  it('keeps http and http+defences apart, each with its own figures', () => {
    const results = sampleScenarios().map((r) =>
      r.scenario === 'faults' && r.variant === 'http+defences'
        ? {
            ...r,
            runs: [faultRunOf('http+defences', 'barista', { counts: { sent: 100, failed: 7 } })],
          }
        : r,
    );
    const finding = faultsFinding(results);
    expect(finding.figures).toMatchObject({
      httpBaristaKillFailed: 20,
      httpDefencesBaristaKillFailed: 7,
    });
    expect(finding.explanation).toContain('For contrast, http: barista-kill failed 20 of 100');
    expect(finding.explanation).toContain('http+defences: barista-kill failed 7 of 100');
  });

  it.each([
    ['lost', faultRunOf('rmq', 'broker', { counts: { sent: 100, lost: 3 } })],
    ['buzzed twice', faultRunOf('rmq', 'barista', { counts: { sent: 100, duplicated: 1 } })],
    ['brewed twice', faultRunOf('rmq', 'barista', { brewedTwice: 2 })],
    ['accepted nothing', faultRunOf('rmq', 'barista', { counts: { sent: 100, failed: 100 } })],
  ])('does not hold when an order was %s', (_, run) => {
    const results = withRmqFaults([faultRunOf('rmq', 'barista'), run]);
    expect(faultsFinding(results).holds).toBe(false);
  });

  it('says when the broker restart was not part of the run', () => {
    const finding = faultsFinding(withRmqFaults([faultRunOf('rmq', 'barista')]));
    expect(finding.holds).toBe(true);
    expect(finding.explanation).toContain('The broker restart was not part of this run');
  });

  it('is not measured without the faults scenario under rmq', () => {
    const results = sampleScenarios().filter((r) => r.variant !== 'rmq');
    expect(faultsFinding(results).holds).toBeNull();
  });
});

describe('soakFinding', () => {
  const withSoak = (growthMb: number, loadMs?: number) =>
    sampleScenarios().map((r) =>
      r.scenario === 'soak' && r.transport === 'rmq'
        ? { ...r, runs: [soakRunOf('rmq', growthMb, loadMs)] }
        : r,
    );

  it('holds when no service grew beyond the threshold after warm-up', () => {
    const finding = soakFinding(withSoak(2));
    expect(finding.holds).toBe(true);
    expect(finding.figures.rmqBarista1GrowthMb).toBe(2);
    expect(finding.figures.httpDefencesBarista1GrowthMb).toBe(1);
    expect(finding.explanation).toMatch(/http: flat.*http\+defences: flat.*rmq: flat/);
  });

  it('does not hold when one variant grew', () => {
    const finding = soakFinding(withSoak(20));
    expect(finding.holds).toBe(false);
    expect(finding.explanation).toMatch(/rmq: GROWS after warm-up: order \+20\.0 MB/);
  });

  it('is null when no soak was long enough to judge, or none ran', () => {
    const short = sampleScenarios()
      .filter((r) => r.scenario !== 'soak')
      .concat([
        {
          scenario: 'soak',
          transport: 'rmq',
          variant: 'rmq',
          runs: [soakRunOf('rmq', 50, 8000)],
          wallSeconds: 9,
        },
      ]);
    expect(soakFinding(short).holds).toBeNull();
    expect(soakFinding(sampleScenarios().filter((r) => r.scenario !== 'soak')).holds).toBeNull();
  });
});
