import { parseCli } from './cli';
import { buildSchedule } from './load';
import {
  buildPlan,
  burstPhases,
  needsPostgres,
  overheadRates,
  plannedOrders,
  variantPlans,
} from './plan';

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
      faults: plan.faults.kinds.length * plan.faults.phases[0].durationMs,
    };
    expect(plan.scenarios).not.toContain('soak');
    const seconds = plan.variants
      .flatMap((v) => v.scenarios)
      .reduce((sum, scenario) => sum + loadMs[scenario] / 1000, 0);
    // Three systems (http, http+defences in steady, outage and faults, rmq), four faults each;
    // the rest is start-up and drain.
    expect(seconds).toBeLessThan(120);
  });

  it('plans scale-out over 1, 2, 3 instances at brew 0 and store-cost A B B A (quick: A B)', () => {
    const full = buildPlan(parseCli(['--scenario', 'scale-out,store-cost']));
    expect(full.scaleOut).toMatchObject({ instances: [1, 2, 3], brewMs: 0 });
    expect(full.scaleOut.search.rates[0]).toBeLessThan(full.scaleOut.search.rates[1]);
    expect(full.storeCost.sequence).toEqual(['sqlite', 'postgres', 'postgres', 'sqlite']);
    expect(full.variants).toEqual([{ variant: 'rmq', scenarios: ['scale-out', 'store-cost'] }]);
    expect(full.store).toBe('sqlite');
    const quick = buildPlan(parseCli(['--quick', '--store', 'postgres']));
    expect(quick.storeCost.sequence).toEqual(['sqlite', 'postgres']);
    expect(quick.store).toBe('postgres');
    expect(quick.scaleOut.search.refine).toBe(false);
  });

  it('needs PostgreSQL only for --store postgres or the scenarios that use it', () => {
    expect(needsPostgres(buildPlan(parseCli([])))).toBe(false);
    expect(needsPostgres(buildPlan(parseCli(['--quick'])))).toBe(false);
    expect(needsPostgres(buildPlan(parseCli(['--store', 'postgres'])))).toBe(true);
    expect(needsPostgres(buildPlan(parseCli(['--scenario', 'store-cost'])))).toBe(true);
    expect(needsPostgres(buildPlan(parseCli(['--scenario', 'all'])))).toBe(true);
    // Under http only, store-cost does not run: nothing needs PostgreSQL.
    expect(
      needsPostgres(
        buildPlan(parseCli(['--scenario', 'steady,store-cost', '--transport', 'http'])),
      ),
    ).toBe(false);
  });

  it('injects the broker restart only in a full run, unless --faults says otherwise', () => {
    const hungCallee = ['barista-hang', 'barista-slow', 'pager-hang'];
    expect(buildPlan(parseCli([])).faults.kinds).toEqual([
      'barista',
      ...hungCallee,
      'broker',
      'broker-node-loss',
      'broker-node-kill',
    ]);
    expect(buildPlan(parseCli(['--quick'])).faults.kinds).toEqual(['barista', ...hungCallee]);
    expect(buildPlan(parseCli(['--faults', 'barista-hang'])).faults.kinds).toEqual([
      'barista-hang',
    ]);
    expect(buildPlan(parseCli(['--quick', '--faults', 'broker'])).faults.kinds).toEqual(['broker']);
    expect(buildPlan(parseCli(['--faults', 'barista'])).faults.kinds).toEqual(['barista']);
  });

  it.each([[[]], [['--quick']], [['--duration', '3']]])(
    'puts the fault and the restart inside the load (%j), with load left to recover',
    (argv) => {
      const { faults } = buildPlan(parseCli(argv));
      const loadMs = faults.phases[0].durationMs;
      expect(faults.faultAtMs).toBeGreaterThan(0);
      expect(faults.faultAtMs + faults.downMs).toBeLessThan(loadMs / 2);
      // A hang outlasts order's barista timeout (at full length), and ends inside the load.
      expect(faults.faultAtMs + faults.hangMs).toBeLessThan(loadMs);
      if (loadMs >= 6000) expect(faults.hangMs).toBeGreaterThan(faults.baristaTimeoutMs ?? 0);
      expect(faults.recoveryShare).toBeGreaterThan(0.5);
      expect(faults.recoveryShare).toBeLessThanOrEqual(1);
    },
  );

  it('traces the steady rate in alternating rounds: four of 10 s, two of 3 s under --quick', () => {
    const full = buildPlan(parseCli(['--tracing']));
    expect(full.tracing).toMatchObject({
      phases: [{ durationMs: 10000, rate: 100 }],
      rounds: 4,
      baristas: 1,
    });
    expect(full.variants.map((v) => v.variant)).toEqual(['http', 'rmq']);
    const quick = buildPlan(parseCli(['--quick', '--tracing']));
    expect(quick.tracing).toMatchObject({ phases: [{ durationMs: 3000, rate: 50 }], rounds: 2 });
  });

  it('soaks for minutes at a moderate rate, a few seconds under --quick', () => {
    const full = buildPlan(parseCli(['--scenario', 'soak']));
    expect(full.soak.phases).toEqual([{ durationMs: 180000, rate: 50 }]);
    // Long enough after the warm-up to be judged.
    const { criteria } = full.soak;
    expect(180000 * (1 - criteria.warmupShare)).toBeGreaterThanOrEqual(criteria.minJudgedMs);
    const quick = buildPlan(parseCli(['--quick', '--scenario', 'soak']));
    expect(quick.soak.phases[0].durationMs).toBeLessThanOrEqual(10000);
    expect(
      buildPlan(parseCli(['--scenario', 'soak', '--duration', '600', '--rate', '20'])).soak.phases,
    ).toEqual([{ durationMs: 600000, rate: 20 }]);
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

  it('runs http and rmq in every scenario and http+defences in steady, outage and faults by default', () => {
    const all = ['steady', 'outage', 'scale', 'burst', 'overhead', 'faults'];
    expect(plan([])).toEqual([
      { variant: 'http', scenarios: all },
      { variant: 'http+defences', scenarios: ['steady', 'outage', 'faults'] },
      // Replication compares brokers: rmq only.
      { variant: 'rmq', scenarios: [...all, 'replication'] },
    ]);
    // --quick leaves it out: it starts the 3-node cluster.
    expect(plan(['--quick']).map((v) => v.scenarios)).toEqual([
      all,
      ['steady', 'outage', 'faults'],
      all,
    ]);
  });

  it('runs replication under rmq only, also when every transport is named', () => {
    expect(plan(['--scenario', 'replication'])).toEqual([
      { variant: 'rmq', scenarios: ['replication'] },
    ]);
    expect(plan(['--scenario', 'replication,steady', '--transport', 'all'])).toEqual([
      { variant: 'http', scenarios: ['steady'] },
      { variant: 'http+defences', scenarios: ['steady'] },
      { variant: 'rmq', scenarios: ['steady', 'replication'] },
    ]);
  });

  it('soaks every variant when the soak is asked for', () => {
    expect(plan(['--scenario', 'soak'])).toEqual([
      { variant: 'http', scenarios: ['soak'] },
      { variant: 'http+defences', scenarios: ['soak'] },
      { variant: 'rmq', scenarios: ['soak'] },
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
