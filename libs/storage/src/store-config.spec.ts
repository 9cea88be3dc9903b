import { ConfigError, loadConfig } from '@app/platform';
import { StoreConfig, storeKind } from './store-config';

class AppWithStore extends StoreConfig {}

describe('StoreConfig', () => {
  it('chooses SQLite when DATABASE_URL is unset, PostgreSQL when it is a postgres:// URL', () => {
    expect(storeKind(loadConfig(AppWithStore, {}))).toBe('sqlite');
    const config = loadConfig(AppWithStore, {
      DATABASE_URL: 'postgresql://shop@db:5432/shop',
      DATABASE_POOL_MAX: '4',
      DATABASE_SCHEMA_PREFIX: 'run_7_',
    });
    expect(storeKind(config)).toBe('postgres');
    expect(config).toMatchObject({ DATABASE_POOL_MAX: 4, DATABASE_SCHEMA_PREFIX: 'run_7_' });
    expect(loadConfig(AppWithStore, {}).DATABASE_POOL_MAX).toBe(10);
  });

  it.each([
    [
      { DATABASE_URL: 'mysql://db/shop' },
      /DATABASE_URL="mysql:\/\/db\/shop": accepts a postgres:\/\//,
    ],
    [{ DATABASE_POOL_MAX: '0' }, /DATABASE_POOL_MAX="0": accepts a whole number from 1 to 1000/],
    [{ DATABASE_SCHEMA_PREFIX: 'Shop-1' }, /DATABASE_SCHEMA_PREFIX="Shop-1": accepts up to 40/],
  ])('refuses %j with a line naming the variable', (env, expected) => {
    expect(() => loadConfig(AppWithStore, env)).toThrow(ConfigError);
    expect(() => loadConfig(AppWithStore, env)).toThrow(expected);
  });
});
