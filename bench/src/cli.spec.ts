import { parseCli, UsageError } from './cli';
import { SCENARIOS } from './model';

describe('parseCli', () => {
  it('defaults to every scenario but the opt-in soak, and leaves the variants to the plan', () => {
    const options = parseCli([]);
    expect(options.scenarios).toEqual([
      'steady',
      'outage',
      'scale',
      'burst',
      'overhead',
      'faults',
      'replication',
    ]);
    expect(parseCli(['--quick']).scenarios).not.toContain('replication');
    expect(parseCli(['--system', 'baseline']).scenarios).not.toContain('replication');
    expect(parseCli(['--dry-run']).dryRun).toBe(true);
    expect(options.faults).toBeUndefined();
    expect(options.dryRun).toBe(false);
    expect(options.variants).toBeUndefined();
    expect(options.quick).toBe(false);
    expect(options.baseline).toBe(true);
    expect(options.cpuProf).toBe(false);
    expect(options.store).toBe('sqlite');
    expect(options.scenarios).not.toContain('scale-out');
    expect(options.scenarios).not.toContain('store-cost');
  });

  it('takes --store sqlite or postgres, and the PostgreSQL scenarios when named', () => {
    expect(parseCli(['--store', 'postgres']).store).toBe('postgres');
    expect(parseCli(['--store=sqlite']).store).toBe('sqlite');
    expect(parseCli(['--scenario', 'store-cost,scale-out']).scenarios).toEqual([
      'scale-out',
      'store-cost',
    ]);
    expect(parseCli(['--quick', '--scenario', 'scale-out']).scenarios).toEqual(['scale-out']);
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
    expect(parseCli(['--scenario', 'all']).scenarios).toEqual([...SCENARIOS]);
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
      'broker-node-loss',
      'broker-node-kill',
    ]);
    expect(
      parseCli(['--scenario', 'faults', '--faults', 'broker-node-kill,broker-node-loss']).faults,
    ).toEqual(['broker-node-loss', 'broker-node-kill']);
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
    [['--scenario', 'replication', '--transport', 'http'], /runs under rmq only/],
    [['--scenario', 'replication', '--system', 'baseline'], /replication needs the NestJS apps/],
    [['--scenario', 'scale-out,store-cost', '--transport', 'http'], /run under rmq only/],
    [['--scenario', 'store-cost', '--system', 'baseline'], /store-cost needs the NestJS apps/],
    [['--store', 'mysql'], /unknown store "mysql": use sqlite or postgres/],
    [['--store', ''], /unknown store "": use sqlite or postgres/],
    [['--store'], /--store/],
    [['--store', 'postgres', '--system', 'baseline'], /--store postgres needs the NestJS apps/],
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
