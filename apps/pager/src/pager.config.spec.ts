import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/platform';
import { PagerConfig } from './pager.config';

describe('PagerConfig', () => {
  it('has defaults for every variable', () => {
    expect(loadConfig(PagerConfig, {})).toMatchObject({
      TRANSPORT: 'http',
      PAGER_PORT: 3002,
      PAGER_PREFETCH: 100,
      PAGER_DB_PATH: 'data/pager.sqlite',
    });
  });

  it('reads the port as a number and TRANSPORT whatever its case', () => {
    const config = loadConfig(PagerConfig, { PAGER_PORT: '4002', TRANSPORT: 'Rmq' });

    expect(config.PAGER_PORT).toBe(4002);
    expect(config.TRANSPORT).toBe('rmq');
  });

  it('refuses an out-of-range port in one line naming it, its value and what it accepts', () => {
    expect(() => loadConfig(PagerConfig, { PAGER_PORT: '0', ORDER_PORT: 'ignored' })).toThrow(
      new ConfigError(
        'Invalid configuration: PAGER_PORT="0": accepts a whole number from 1 to 65535',
      ),
    );
  });
});
