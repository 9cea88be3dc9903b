import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/platform';
import { OrderConfig } from './order.config';

/** The one-line message of the ConfigError that loading `env` throws. */
function refusal(env: Record<string, string>): string {
  let thrown: unknown;
  try {
    loadConfig(OrderConfig, env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return (thrown as ConfigError).message;
}

describe('OrderConfig', () => {
  it('has defaults for every variable', () => {
    expect(loadConfig(OrderConfig, {})).toMatchObject({
      TRANSPORT: 'http',
      ORDER_PORT: 3000,
      BARISTA_URL: 'http://127.0.0.1:3001',
      PAGER_URL: 'http://127.0.0.1:3002',
      BARISTA_TIMEOUT_MS: 10000,
      PAGER_TIMEOUT_MS: 2000,
      ORDER_PREFETCH: 100,
      HTTP_DEFENCES: 'on',
      HTTP_RETRIES: 2,
      HTTP_RETRY_BASE_MS: 100,
      HTTP_BREAKER: 'on',
      HTTP_BREAKER_RATIO: 0.5,
      HTTP_BREAKER_WINDOW: 20,
      HTTP_BREAKER_MIN_CALLS: 5,
      HTTP_BREAKER_COOLDOWN_MS: 1000,
      ORDER_DB_PATH: 'data/order.sqlite',
    });
  });

  it('reads the defences: switches in any case, a fraction for the ratio', () => {
    const config = loadConfig(OrderConfig, {
      HTTP_DEFENCES: 'OFF',
      HTTP_BREAKER: 'Off',
      HTTP_RETRIES: '0',
      HTTP_BREAKER_RATIO: '0.25',
      HTTP_BREAKER_WINDOW: '4',
      HTTP_BREAKER_MIN_CALLS: '4',
    });

    expect(config).toMatchObject({
      HTTP_DEFENCES: 'off',
      HTTP_BREAKER: 'off',
      HTTP_RETRIES: 0,
      HTTP_BREAKER_RATIO: 0.25,
      HTTP_BREAKER_MIN_CALLS: 4,
    });
  });

  it('refuses a breaker that would need more calls than its window holds', () => {
    expect(refusal({ HTTP_BREAKER_WINDOW: '10', HTTP_BREAKER_MIN_CALLS: '11' })).toContain(
      'HTTP_BREAKER_MIN_CALLS="11": accepts at most HTTP_BREAKER_WINDOW (10)',
    );
    expect(refusal({ HTTP_BREAKER_MIN_CALLS: '21' })).toContain(
      'HTTP_BREAKER_MIN_CALLS="21": accepts at most HTTP_BREAKER_WINDOW (20)',
    );
  });

  it('reads numbers as numbers and a list of barista URLs as given', () => {
    const config = loadConfig(OrderConfig, {
      ORDER_PORT: '4000',
      BARISTA_TIMEOUT_MS: '100',
      BARISTA_URL: 'http://10.0.0.1:3001,https://barista.example:443',
      TRANSPORT: 'RMQ',
    });

    expect(config.ORDER_PORT).toBe(4000);
    expect(config.BARISTA_TIMEOUT_MS).toBe(100);
    expect(config.BARISTA_URL).toBe('http://10.0.0.1:3001,https://barista.example:443');
    expect(config.TRANSPORT).toBe('rmq');
  });

  it("ignores the other apps' variables, even invalid ones", () => {
    const config = loadConfig(OrderConfig, { BREW_MS: 'abc', PAGER_PORT: '70000' });

    expect(config).not.toHaveProperty('BREW_MS');
    expect(config).not.toHaveProperty('PAGER_PORT');
  });

  it.each([
    ['ORDER_PORT', '70000', 'accepts a whole number from 1 to 65535'],
    ['ORDER_PORT', 'http', 'accepts a whole number from 1 to 65535'],
    ['TRANSPORT', 'kafka', 'accepts http or rmq'],
    ['BARISTA_URL', 'ftp://x', 'accepts one or more http(s):// URLs separated by commas'],
    ['BARISTA_URL', 'http://a,', 'accepts one or more http(s):// URLs separated by commas'],
    ['PAGER_URL', 'localhost:3002', 'accepts one or more http(s):// URLs separated by commas'],
    ['BOARD_PAGER_URL', 'pager:3002', 'accepts an http(s):// URL or a path starting with /'],
    [
      'BOARD_PAGER_URL',
      'http://a, http://b',
      'accepts an http(s):// URL or a path starting with /',
    ],
    ['PAGER_TIMEOUT_MS', '5', 'accepts a whole number of milliseconds from 10 to 600000'],
    ['HTTP_DEFENCES', 'yes', 'accepts on or off'],
    ['HTTP_BREAKER', '1', 'accepts on or off'],
    ['HTTP_RETRIES', '11', 'accepts a whole number from 0 to 10'],
    ['HTTP_RETRIES', '-1', 'accepts a whole number from 0 to 10'],
    ['HTTP_RETRY_BASE_MS', '0', 'accepts a whole number of milliseconds from 1 to 60000'],
    ['HTTP_BREAKER_RATIO', '1', 'accepts a number from 0.01 to 0.99'],
    ['HTTP_BREAKER_RATIO', 'half', 'accepts a number from 0.01 to 0.99'],
    ['HTTP_BREAKER_COOLDOWN_MS', '5', 'accepts a whole number of milliseconds from 10 to 600000'],
    ['ORDER_DB_PATH', 'data/a\nb.sqlite', 'accepts a file path (or :memory:)'],
  ])('refuses %s=%s in one line saying what it accepts', (name, value, accepts) => {
    const message = refusal({ [name]: value });

    expect(message).not.toContain('\n');
    expect(message).toContain(`${name}=${JSON.stringify(value)}: ${accepts}`);
  });

  it.each(['http://localhost:3002', 'https://shop.example/pager/', '/', '/pager'])(
    "takes BOARD_PAGER_URL=%s (a URL, or a path on the board's own origin)",
    (value) => {
      expect(loadConfig(OrderConfig, { BOARD_PAGER_URL: value }).BOARD_PAGER_URL).toBe(value);
    },
  );

  it('leaves BOARD_PAGER_URL unset when empty (the board then uses PAGER_URL)', () => {
    expect(loadConfig(OrderConfig, { BOARD_PAGER_URL: '' }).BOARD_PAGER_URL).toBeUndefined();
  });
});
