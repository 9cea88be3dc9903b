import { parseCli } from './cli';
import { buildSchedule } from './load';
import { buildPlan, burstPhases, overheadRates, plannedOrders, variantPlans } from './plan';

describe('buildPlan', () => {
  it('has sane defaults for two cores', () => {
    const plan = buildPlan(parseCli([]));
    expect(plan.steady.phases).toEqual([{ durationMs: 20000, rate: 100 }]);
    expect(plan.steady.brewMs).toBe(50);
    // One barista of the scale scenario cannot keep up with the rate, three can.
    const one = (plan.scale.machines * 1000) / plan.scale.brewMs;
    expect(one).toBeLessThan(plan.scale.rate);
    expect(3 * one).toBeGreaterThan(plan.scale.rate);
    // The steady shop is not overloaded.
    expect((plan.steady.machines * 1000) / plan.steady.brewMs).toBeGreaterThan(100);
    expect(plan.outage.stopAtMs + plan.outage.downMs).toBeLessThan(
      plan.outage.phases[0].durationMs,
    );
  });

  it('lets the flags override the defaults they name', () => {
    const plan = buildPlan(
      parseCli([
        '--rate',
        '40',
        '--duration',
        '3',
        '--brew-ms',
        '10',
        '--machines',
        '1',
        '--max-rate',
        '700',
      ]),
    );
    expect(plan.steady.phases).toEqual([{ durationMs: 3000, rate: 40 }]);
    expect(plan.scale).toMatchObject({ rate: 40, durationMs: 3000, brewMs: 10, machines: 1 });
    expect(plan.outage).toMatchObject({ brewMs: 10, machines: 1 });
    expect(plan.overhead.rates).toEqual([250, 500, 700]);
  });

  it('keeps quick runs short', () => {
    const plan = buildPlan(parseCli(['--quick']));
    const loadMs: Record<string, number> = {
      steady: plan.steady.phases[0].durationMs,
      outage: plan.outage.phases[0].durationMs,
      scale: 2 * plan.scale.durationMs,
      burst: plan.burst.phases.reduce((s, p) => s + p.durationMs, 0),
      overhead: 2 * plan.overhead.rates.length * plan.overhead.stepMs,
    };
    const seconds = plan.variants
      .flatMap((v) => v.scenarios)
      .reduce((sum, scenario) => sum + loadMs[scenario] / 1000, 0);
    // Three systems (http, http+defences in two scenarios, rmq); the rest is start-up and drain.
    expect(seconds).toBeLessThan(40);
  });
});

describe('burstPhases', () => {
  it('spikes in the middle for a fifth of the time and keeps the total duration', () => {
    const phases = burstPhases(100, 10000, 5);
    expect(phases).toEqual([
      { durationMs: 4000, rate: 100 },
      { durationMs: 2000, rate: 500 },
      { durationMs: 4000, rate: 100 },
    ]);
    expect(plannedOrders(phases)).toBe(buildSchedule(phases).length);
  });
});

describe('overheadRates', () => {
  it('caps the steps at the maximum and tries the maximum itself', () => {
    expect(overheadRates([100, 200, 400], 300)).toEqual([100, 200, 300]);
    expect(overheadRates([100, 200], undefined)).toEqual([100, 200]);
    expect(overheadRates([100, 200], 50)).toEqual([50]);
  });
});

describe('variantPlans', () => {
  const plan = (argv: string[]) => buildPlan(parseCli(argv)).variants;

  it('runs http and rmq in every scenario and http+defences in steady and outage by default', () => {
    expect(plan([])).toEqual([
      { variant: 'http', scenarios: ['steady', 'outage', 'scale', 'burst', 'overhead'] },
      { variant: 'http+defences', scenarios: ['steady', 'outage'] },
      { variant: 'rmq', scenarios: ['steady', 'outage', 'scale', 'burst', 'overhead'] },
    ]);
  });

  it('leaves http+defences out where the chosen scenarios give it nothing to run', () => {
    expect(plan(['--scenario', 'scale']).map((v) => v.variant)).toEqual(['http', 'rmq']);
  });

  it('runs http+defences in every chosen scenario once --transport names it', () => {
    expect(plan(['--transport', 'http+defences', '--scenario', 'scale,burst'])).toEqual([
      { variant: 'http+defences', scenarios: ['scale', 'burst'] },
    ]);
  });

  it('has no http+defences for the bare baseline, which has no defences', () => {
    expect(
      variantPlans({ scenarios: ['steady'], system: 'baseline' }).map((v) => v.variant),
    ).toEqual(['http', 'rmq']);
  });
});
