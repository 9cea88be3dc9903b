import 'reflect-metadata';
import { IsOptional, Matches } from 'class-validator';
import { CommonConfig, IntRange, IsPort } from './common.config';
import { ConfigError, loadConfig } from './config';

/** A config class written the way each app writes its own (those are tested beside them). */
class ShopConfig extends CommonConfig {
  @IsPort()
  public readonly SHOP_PORT: number = 3000;

  @IntRange(0, 600000, 'milliseconds')
  public readonly SHOP_DELAY_MS: number = 1000;

  @IsOptional()
  @Matches(/^[a-z]+$/, { message: 'accepts lower-case letters' })
  public readonly SHOP_NAME?: string;
}

/** The ConfigError that loading `env` throws. */
function configError(env: Record<string, string>): ConfigError {
  let thrown: unknown;
  try {
    loadConfig(ShopConfig, env);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

describe('loadConfig', () => {
  it('applies the defaults of the class and of CommonConfig when nothing is set', () => {
    const config = loadConfig(ShopConfig, {});

    expect(config).toBeInstanceOf(ShopConfig);
    expect(config).toMatchObject({
      SHOP_PORT: 3000,
      SHOP_DELAY_MS: 1000,
      TRANSPORT: 'http',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'log',
      BODY_LIMIT_BYTES: 16384,
      BODY_MAX_DEPTH: 32,
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      AMQP_NAMESPACE: 'coffee-shop',
      AMQP_PUBLISH_TIMEOUT_MS: 5000,
      RETRY_ATTEMPTS: 3,
      RETRY_BASE_DELAY_MS: 1000,
      SHUTDOWN_TIMEOUT_MS: 10000,
    });
    expect(config.SHOP_NAME).toBeUndefined();
  });

  it('returns a frozen config', () => {
    expect(Object.isFrozen(loadConfig(ShopConfig, {}))).toBe(true);
  });

  it('converts numbers and trims the surrounding blanks', () => {
    const config = loadConfig(ShopConfig, {
      SHOP_PORT: ' 8080 ',
      SHOP_DELAY_MS: '0',
      SHOP_NAME: 'beans',
      AMQP_PUBLISH_TIMEOUT_MS: '250',
    });

    expect(config.SHOP_PORT).toBe(8080);
    expect(config.SHOP_DELAY_MS).toBe(0);
    expect(config.SHOP_NAME).toBe('beans');
    expect(config.AMQP_PUBLISH_TIMEOUT_MS).toBe(250);
  });

  it('treats an empty or blank variable as unset', () => {
    const config = loadConfig(ShopConfig, { SHOP_PORT: '', SHOP_NAME: '', TRANSPORT: '  ' });

    expect(config.SHOP_PORT).toBe(3000);
    expect(config.SHOP_NAME).toBeUndefined();
    expect(config.TRANSPORT).toBe('http');
  });

  it('reads only the variables the class declares', () => {
    const config = loadConfig(ShopConfig, { PATH: '/usr/bin', OTHER_PORT: 'not a port' });

    expect(config).not.toHaveProperty('PATH');
    expect(config).not.toHaveProperty('OTHER_PORT');
  });

  it('reads TRANSPORT and LOG_LEVEL whatever their case', () => {
    expect(loadConfig(ShopConfig, { TRANSPORT: 'RMQ' }).TRANSPORT).toBe('rmq');
    expect(loadConfig(ShopConfig, { LOG_LEVEL: 'Debug' }).LOG_LEVEL).toBe('debug');
  });

  it('refuses a wrong value with one line naming the variable, the value and what it accepts', () => {
    const error = configError({ SHOP_DELAY_MS: 'abc' });

    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(
      'Invalid configuration: SHOP_DELAY_MS="abc": accepts a whole number of milliseconds from 0 to 600000',
    );
  });

  it('names every wrong variable in that one line, escaping line breaks in values', () => {
    const error = configError({
      SHOP_PORT: '70000',
      SHOP_NAME: 'two\nlines',
      TRANSPORT: 'kafka',
    });

    expect(error.message).not.toContain('\n');
    expect(error.message).toContain('SHOP_PORT="70000": accepts a whole number from 1 to 65535');
    expect(error.message).toContain('SHOP_NAME="two\\nlines": accepts lower-case letters');
    expect(error.message).toContain('TRANSPORT="kafka": accepts http or rmq');
  });

  it('takes retries from 0 to 10, a base delay from 1 ms and a shutdown timeout from 0', () => {
    expect(
      loadConfig(ShopConfig, {
        RETRY_ATTEMPTS: '0',
        RETRY_BASE_DELAY_MS: '1',
        SHUTDOWN_TIMEOUT_MS: '0',
      }),
    ).toMatchObject({ RETRY_ATTEMPTS: 0, RETRY_BASE_DELAY_MS: 1, SHUTDOWN_TIMEOUT_MS: 0 });

    const error = configError({ RETRY_ATTEMPTS: '11', RETRY_BASE_DELAY_MS: '0' });
    expect(error.message).toContain('RETRY_ATTEMPTS="11": accepts a whole number from 0 to 10');
    expect(error.message).toContain(
      'RETRY_BASE_DELAY_MS="0": accepts a whole number of milliseconds from 1 to 60000',
    );
  });
});
