import { scaleOutFinding, storeCostFinding } from './store-findings';
import {
  sampleScenarios,
  scaleOutRunOf,
  scaleOutScenario,
  storeCostScenario,
} from './testing/fixtures';

const without = (scenario: string) => sampleScenarios().filter((r) => r.scenario !== scenario);

describe('scale-out finding', () => {
  it('holds when more instances sustain more, and names where the cores ran out', () => {
    const finding = scaleOutFinding([scaleOutScenario()]);
    expect(finding.holds).toBe(true);
    expect(finding.figures).toMatchObject({
      cores: 2,
      x1BestRate: 200,
      x2BestRate: 400,
      x3BestRate: 400,
      coresRunOutAt: 2,
    });
    expect(finding.explanation).toContain('x2 sustained 400/s with the machine at 170 % of 200 %');
    expect(finding.explanation).toContain('The cores ran out at 2 instance(s)');
  });

  it('does not hold when more instances sustain no more than one', () => {
    const finding = scaleOutFinding([
      scaleOutScenario([
        scaleOutRunOf(1, 200, true, 150),
        scaleOutRunOf(1, 400, false, 199),
        scaleOutRunOf(2, 200, true, 190),
        scaleOutRunOf(2, 400, false, 199),
      ]),
    ]);
    expect(finding.holds).toBe(false);
    expect(finding.figures.coresRunOutAt).toBe(1);
    expect(finding.explanation).toContain('More instances sustained no higher rate than one.');
  });

  it('says the machine never filled up when it did not', () => {
    const finding = scaleOutFinding([
      scaleOutScenario([scaleOutRunOf(1, 100, true, 50), scaleOutRunOf(2, 100, true, 60)]),
    ]);
    expect(finding.figures.coresRunOutAt).toBeNull();
    expect(finding.explanation).toContain('(the limit was not reached)');
    expect(finding.explanation).toContain('stayed under 90 % of its 2 cores');
  });

  it('is not measured without the scenario', () => {
    expect(scaleOutFinding(without('scale-out')).holds).toBeNull();
  });
});

describe('store-cost finding', () => {
  it('compares the CPU per order of the two stores, server included', () => {
    const finding = storeCostFinding([storeCostScenario()]);
    expect(finding.holds).toBe(true);
    expect(finding.figures).toMatchObject({
      sqliteCpuMsPerOrder: 2.1,
      postgresCpuMsPerOrder: 3.2,
      cpuRatio: 1.52,
      lost: 0,
    });
    expect(finding.explanation).toMatch(/on PostgreSQL 3\.2 CPU ms \(1 in its server\)/);
  });

  it('does not hold when the runs of the two stores overlap', () => {
    const finding = storeCostFinding([storeCostScenario([2, 3.5], [3, 3.4])]);
    expect(finding.holds).toBe(false);
    expect(finding.explanation).toContain('within the noise');
  });

  it('is not measured without the scenario', () => {
    expect(storeCostFinding(without('store-cost')).holds).toBeNull();
  });
});
