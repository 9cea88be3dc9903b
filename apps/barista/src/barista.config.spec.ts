import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/platform';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BaristaConfig } from './barista.config';
import { baristaDbPath } from './barista.module';

/** The one-line message of the ConfigError that loading `env` throws. */
function refusal(env: Record<string, string>): string {
  let thrown: unknown;
  try {
    loadConfig(BaristaConfig, env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return (thrown as ConfigError).message;
}

describe('BaristaConfig', () => {
  it('has defaults, and leaves BARISTA_ID and BARISTA_PREFETCH unset', () => {
    const config = loadConfig(BaristaConfig, {});

    expect(config).toMatchObject({
      BARISTA_PORT: 3001,
      BREW_MS: 1000,
      ESPRESSO_MACHINES: 2,
      FAULT_INJECTION: 'off',
    });
    expect(config.BARISTA_ID).toBeUndefined();
    expect(config.BARISTA_PREFETCH).toBeUndefined();
  });

  it('reads numbers as numbers', () => {
    const config = loadConfig(BaristaConfig, {
      BARISTA_PORT: '4001',
      BREW_MS: '0',
      ESPRESSO_MACHINES: '4',
      BARISTA_PREFETCH: '8',
      BARISTA_ID: 'bar-1:a',
    });

    expect(config).toMatchObject({
      BARISTA_PORT: 4001,
      BREW_MS: 0,
      ESPRESSO_MACHINES: 4,
      BARISTA_PREFETCH: 8,
      BARISTA_ID: 'bar-1:a',
    });
  });

  it('treats an empty optional variable as unset', () => {
    const config = loadConfig(BaristaConfig, { BARISTA_ID: '', BARISTA_PREFETCH: ' ' });

    expect(config.BARISTA_ID).toBeUndefined();
    expect(config.BARISTA_PREFETCH).toBeUndefined();
  });

  it.each([
    ['BREW_MS', 'abc', 'accepts a whole number of milliseconds from 0 to 600000'],
    ['BREW_MS', '-1', 'accepts a whole number of milliseconds from 0 to 600000'],
    ['ESPRESSO_MACHINES', '0', 'accepts a whole number from 1 to 1000'],
    ['BARISTA_ID', 'has spaces', 'accepts 1-64 letters, digits, dots, dashes or colons'],
    ['BARISTA_PREFETCH', '1.5', 'accepts a whole number from 1 to 10000'],
    ['FAULT_INJECTION', 'yes', 'accepts on or off'],
  ])('refuses %s=%s in one line saying what it accepts', (name, value, accepts) => {
    const message = refusal({ [name]: value });

    expect(message).not.toContain('\n');
    expect(message).toContain(`${name}=${JSON.stringify(value)}: ${accepts}`);
  });

  it('names the brew log after BARISTA_ID, else the host (stable across restarts)', () => {
    const path = (env: Record<string, string>) => baristaDbPath(loadConfig(BaristaConfig, env));

    expect(path({ BARISTA_ID: 'bar-1:a' })).toBe(join('data', 'barista-bar-1-a.sqlite'));
    expect(path({})).toBe(join('data', `barista-${hostname().replace(/[^\w.-]+/g, '-')}.sqlite`));
    expect(path({ BARISTA_ID: 'x', BARISTA_DB_PATH: '/var/lib/shop/brews.db' })).toBe(
      '/var/lib/shop/brews.db',
    );
  });
});
