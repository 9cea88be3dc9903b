import { parseCli, UsageError } from './cli';

describe('parseCli', () => {
  it('defaults to every scenario, and leaves the variants to the plan', () => {
    const options = parseCli([]);
    expect(options.scenarios).toEqual(['steady', 'outage', 'scale', 'burst', 'overhead']);
    expect(options.variants).toBeUndefined();
    expect(options.quick).toBe(false);
    expect(options.baseline).toBe(true);
    expect(options.cpuProf).toBe(false);
  });

  it('reads every flag', () => {
    const options = parseCli([
      '--quick',
      '--scenario',
      'outage,steady',
      '--transport=rmq',
      '--rate',
      '250',
      '--duration',
      '2.5',
      '--brew-ms',
      '0',
      '--machines',
      '3',
      '--max-rate',
      '5000',
      '--out',
      '/tmp/x',
      '--no-baseline',
      '--cpu-prof',
    ]);
    expect(options).toMatchObject({
      quick: true,
      scenarios: ['steady', 'outage'],
      variants: ['rmq'],
      rate: 250,
      durationS: 2.5,
      brewMs: 0,
      machines: 3,
      maxRate: 5000,
      out: '/tmp/x',
      baseline: false,
      cpuProf: true,
    });
  });

  it('accepts "all"', () => {
    expect(parseCli(['--scenario', 'all']).scenarios).toHaveLength(5);
    expect(parseCli(['--transport', 'all']).variants).toEqual(['http', 'http+defences', 'rmq']);
  });

  it('takes http+defences as a transport, in the canonical order', () => {
    expect(parseCli(['--transport', 'rmq,http+defences,http']).variants).toEqual([
      'http',
      'http+defences',
      'rmq',
    ]);
  });

  it.each([
    [['--rate', '0'], /--rate must be greater than 0/],
    [['--rate', '-5'], /--rate must be greater than 0/],
    [['--rate', 'fast'], /--rate takes a number/],
    [['--duration', '0'], /--duration must be greater than 0/],
    [['--duration', '-1'], /--duration must be greater than 0/],
    [['--brew-ms', '-1'], /--brew-ms takes a whole number from 0/],
    [['--brew-ms', '1.5'], /--brew-ms takes a whole number/],
    [['--machines', '0'], /--machines takes a whole number from 1/],
    [['--scenario', 'steady,nap'], /unknown scenario "nap"/],
    [['--scenario', ','], /--scenario needs at least one/],
    [['--transport', 'kafka'], /unknown transport "kafka": use http, http\+defences, rmq or all/],
    [
      ['--system', 'baseline', '--transport', 'http+defences'],
      /http\+defences needs the NestJS apps/,
    ],
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /positional/i],
    [['--out', ''], /--out needs a directory/],
  ])('refuses %j with a one-line message', (argv, message) => {
    let caught: unknown;
    try {
      parseCli(argv);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('\n');
  });
});
