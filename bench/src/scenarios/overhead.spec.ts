import type { OverheadStep } from '../model';
import { buildPlan } from '../plan';
import { countsOf, latencyOf, runOf } from '../testing/fixtures';
import { bestStep, judgeStep, refineRate, summarizeOverhead } from './overhead';

const plan = buildPlan({
  quick: false,
  scenarios: ['overhead'],
  variants: ['rmq'],
  baseline: true,
  system: 'nest',
  store: 'sqlite',
  cpuProf: false,
  help: false,
}).overhead;

describe('judgeStep', () => {
  it('accepts a step where everything was buzzed quickly', () => {
    expect(judgeStep(runOf('rmq'), plan).sustainable).toBe(true);
  });

  it.each([
    ['failures', { counts: countsOf({ sent: 100, failed: 1 }) }, /1 of 100 orders failed/],
    ['lost orders', { counts: countsOf({ sent: 100, lost: 2 }) }, /2 accepted orders not buzzed/],
    ['a long tail', { buzzLatency: latencyOf(10, 900) }, /buzz p99 900 ms/],
  ])('refuses a step with %s', (_name, overrides, why) => {
    const verdict = judgeStep(runOf('rmq', overrides), plan);
    expect(verdict.sustainable).toBe(false);
    expect(verdict.why).toMatch(why);
  });
});

it('names a lagging load generator without refusing the step for it', () => {
  const verdict = judgeStep(runOf('rmq', { sendLag: latencyOf(20, 200) }), plan);
  expect(verdict).toEqual({
    sustainable: true,
    why: expect.stringMatching(/load generator lag p99 200 ms/),
  });
});

describe('bestStep and the ratio', () => {
  const step = (system: 'nest' | 'baseline', rate: number, sustainable: boolean): OverheadStep => ({
    system,
    rate,
    sustainable,
    why: '',
    run: runOf('rmq', { system }),
  });

  it('takes the highest sustainable rate of each system', () => {
    const steps = [
      step('nest', 500, true),
      step('nest', 1000, true),
      step('nest', 2000, false),
      step('baseline', 500, true),
      step('baseline', 4000, true),
    ];
    expect(bestStep(steps, 'nest')).toMatchObject({ rate: 1000, limitNotReached: false });
    expect(bestStep(steps, 'baseline')).toMatchObject({ rate: 4000, limitNotReached: true });
    expect(summarizeOverhead(steps, plan).ratio).toBe(0.25);
  });

  it('has no best step when nothing was sustainable', () => {
    expect(bestStep([step('nest', 500, false)], 'nest')).toBeNull();
    expect(summarizeOverhead([step('nest', 500, false)], plan, 'skipped').ratio).toBeNull();
  });
});

describe('refineRate', () => {
  const step = (rate: number, sustainable: boolean) => ({ rate, sustainable });

  it('bisects between the highest good rate and the lowest bad one above it', () => {
    expect(refineRate([step(1000, true), step(2000, false)])).toBe(1500);
    expect(refineRate([step(1000, true), step(2000, false), step(1500, false)])).toBe(1250);
    expect(refineRate([step(1000, true), step(2000, false), step(1500, true)])).toBe(1750);
  });

  it('stops once the two are within 15 % of each other, or nothing failed', () => {
    expect(refineRate([step(1000, true), step(1250, true), step(1400, false)])).toBe(null);
    expect(refineRate([step(250, true), step(500, true)])).toBe(null);
  });

  it('starts from zero when even the first step failed', () => {
    expect(refineRate([step(250, false)])).toBe(150);
  });
});
