import { scaleOutRunOf, scaleOutScenario, storeCostScenario } from '../testing/fixtures';
import { costOf } from './measure';
import { scaleOutStep, searchRates } from './scale-out';

describe('costOf', () => {
  it('counts apps and database per completed order, and everything against the window', () => {
    const cost = costOf({
      processes: [{ cpuSeconds: 1 }, { cpuSeconds: 0.5 }],
      databaseCpuSeconds: 0.5,
      benchCpuSeconds: 0.5,
      windowSeconds: 2,
      completed: 400,
      machineCpuPercent: 150,
      cores: 2,
    });
    expect(cost).toMatchObject({
      appCpuSeconds: 1.5,
      databaseCpuSeconds: 0.5,
      cpuMsPerOrder: 5,
      shopCpuPercent: 125,
      machineCpuPercent: 150,
    });
    const none = costOf({ ...cost, processes: [], databaseCpuSeconds: null, completed: 0 });
    expect(none.cpuMsPerOrder).toBeNull();
    expect(none.databaseCpuSeconds).toBeNull();
  });
});

describe('scale-out', () => {
  it('takes each step’s highest sustainable rate and the machine’s CPU at the first one not', () => {
    const step = scaleOutStep(2, [
      scaleOutRunOf(2, 200, true, 120),
      scaleOutRunOf(2, 600, false, 196),
      scaleOutRunOf(2, 400, true, 170),
      scaleOutRunOf(1, 800, true, 100),
    ]);
    expect(step).toMatchObject({
      bestRate: 400,
      firstUnsustainable: 600,
      overloadMachineCpuPercent: 196,
    });
    expect(step.cost?.machineCpuPercent).toBe(170);
    expect(scaleOutStep(3, [scaleOutRunOf(3, 100, false, 199)]).bestRate).toBeNull();
    expect(scaleOutScenario().scaleOut?.steps.map((s) => s.instances)).toEqual([1, 2, 3]);
  });

  it('searches up to the first unsustainable rate, then bisects towards the last good one', async () => {
    const tried: number[] = [];
    const limit = 700;
    await searchRates(
      { rates: [100, 400, 800, 1600], refine: true },
      new AbortController().signal,
      (rate) => {
        tried.push(rate);
        return Promise.resolve({ rate, sustainable: rate <= limit });
      },
    );
    expect(tried.slice(0, 3)).toEqual([100, 400, 800]);
    expect(tried).toContain(600);
    expect(tried).not.toContain(1600);
  });
});

describe('store-cost summary', () => {
  it('pools each store’s runs and puts PostgreSQL over SQLite', () => {
    const summary = storeCostScenario().storeCost;
    expect(summary?.sequence).toEqual(['sqlite', 'postgres', 'postgres', 'sqlite']);
    expect(summary?.sqlite).toMatchObject({
      runs: 2,
      cpuMsPerOrder: 2.1,
      databaseCpuMsPerOrder: null,
    });
    expect(summary?.postgres).toMatchObject({ runs: 2, cpuMsPerOrder: 3.2 });
    expect(summary?.postgres?.databaseCpuMsPerOrder).toBeCloseTo(0.96, 2);
    expect(summary?.cpuRatio).toBe(1.52);
    expect(summary?.separated).toBe(true);
    expect(storeCostScenario([2, 3.5], [3, 3.4]).storeCost?.separated).toBe(false);
  });
});
