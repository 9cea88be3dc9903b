import { DEFAULT_AMQP_URL } from '@app/platform';
import { parseCli, UsageError } from './cli';

describe('parseCli', () => {
  it('lists the default namespace on the default broker, 100 at most', () => {
    expect(parseCli(['list'], {})).toEqual({
      namespace: 'coffee-shop',
      url: DEFAULT_AMQP_URL,
      run: { command: 'list', limit: 100, json: false },
    });
  });

  it('takes the namespace from --namespace, else AMQP_NAMESPACE, and the broker from AMQP_URL', () => {
    const env = { AMQP_NAMESPACE: 'from-env', AMQP_URL: 'amqp://u:p@broker:5672' };
    expect(parseCli(['list'], env)).toMatchObject({ namespace: 'from-env', url: env.AMQP_URL });
    expect(parseCli(['list', '--namespace', 'flag', '--limit', '5', '--json'], env)).toMatchObject({
      namespace: 'flag',
      run: { command: 'list', limit: 5, json: true },
    });
  });

  it('replays the ids given, each once', () => {
    expect(parseCli(['replay', 'a', 'b', 'a'], {}).run).toEqual({
      command: 'replay',
      ids: ['a', 'b'],
    });
  });

  it('purges, and shows the usage for help or no command', () => {
    expect(parseCli(['purge'], {}).run).toEqual({ command: 'purge' });
    expect(parseCli([], {}).run).toEqual({ command: 'help' });
    expect(parseCli(['--help'], {}).run).toEqual({ command: 'help' });
  });

  it.each([
    [['frob'], /unknown command "frob"/],
    [['replay'], /replay needs the message id/],
    [['list', 'extra'], /list takes no arguments/],
    [['purge', '--json'], /--json goes with list only/],
    [['list', '--limit', '0'], /--limit takes a whole number from 1/],
    [['list', '--limit', 'many'], /--limit takes a whole number/],
    [['list', '--namespace', 'Bad Name'], /--namespace "Bad Name": accepts/],
    [['list', '--color'], /Unknown option '--color'/],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseCli(argv, {})).toThrow(UsageError);
    expect(() => parseCli(argv, {})).toThrow(message);
  });

  it('refuses an AMQP_URL that is not amqp://', () => {
    expect(() => parseCli(['list'], { AMQP_URL: 'http://broker' })).toThrow(
      /AMQP_URL="http:\/\/broker": accepts an amqp/,
    );
  });
});
