import { parseCli, UsageError } from './cli';

describe('parseCli', () => {
  it('defaults to every scenario but the opt-in soak, and leaves the variants to the plan', () => {
    const options = parseCli([]);
    expect(options.scenarios).toEqual(['steady', 'outage', 'scale', 'burst', 'overhead', 'faults']);
    expect(options.faults).toBeUndefined();
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

  it('runs the tracing scenario alone with --tracing, or adds it to those --scenario lists', () => {
    expect(parseCli(['--tracing']).scenarios).toEqual(['tracing']);
    expect(parseCli(['--quick', '--tracing', '--scenario', 'steady']).scenarios).toEqual([
      'steady',
      'tracing',
    ]);
    expect(parseCli(['--scenario', 'tracing']).scenarios).toEqual(['tracing']);
    expect(parseCli([]).scenarios).not.toContain('tracing');
  });

  it('accepts "all", which includes soak', () => {
    expect(parseCli(['--scenario', 'all']).scenarios).toHaveLength(8);
    expect(parseCli(['--scenario', 'all']).scenarios).toContain('soak');
    expect(parseCli(['--scenario', 'soak']).scenarios).toEqual(['soak']);
    expect(parseCli(['--transport', 'all']).variants).toEqual(['http', 'http+defences', 'rmq']);
  });

  it('reads the faults to inject, in canonical order', () => {
    expect(parseCli(['--faults', 'broker,barista']).faults).toEqual(['barista', 'broker']);
    expect(parseCli(['--scenario', 'faults', '--faults', 'barista']).faults).toEqual(['barista']);
    expect(parseCli(['--faults', 'all']).faults).toEqual([
      'barista',
      'barista-hang',
      'barista-slow',
      'pager-hang',
      'broker',
    ]);
    expect(parseCli(['--faults', 'pager-hang,barista-hang']).faults).toEqual([
      'barista-hang',
      'pager-hang',
    ]);
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
    [['--faults', 'disk'], /unknown faults "disk"/],
    [['--scenario', 'steady', '--faults', 'barista'], /--faults applies to the faults scenario/],
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
