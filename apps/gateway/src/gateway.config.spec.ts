import 'reflect-metadata';
import { ConfigError, loadConfig } from '@app/platform';
import { GatewayConfig } from './gateway.config';

describe('GatewayConfig', () => {
  it('has defaults for every variable', () => {
    expect(loadConfig(GatewayConfig, {})).toMatchObject({
      GATEWAY_PORT: 8080,
      ORDER_UPSTREAMS: 'http://127.0.0.1:3000',
      BARISTA_UPSTREAMS: 'http://127.0.0.1:3001',
      PAGER_UPSTREAMS: 'http://127.0.0.1:3002',
      ORDER_UPSTREAM_TIMEOUT_MS: 15000,
      BARISTA_UPSTREAM_TIMEOUT_MS: 12000,
      PAGER_UPSTREAM_TIMEOUT_MS: 5000,
      GATEWAY_COOLDOWN_MS: 5000,
      GATEWAY_DNS_REFRESH_MS: 5000,
    });
  });

  it('takes comma-separated upstream lists, host names included', () => {
    const config = loadConfig(GatewayConfig, {
      BARISTA_UPSTREAMS: 'http://barista:3001,http://10.0.0.7:3011/',
    });
    expect(config.BARISTA_UPSTREAMS).toBe('http://barista:3001,http://10.0.0.7:3011/');
  });

  it.each([
    ['GATEWAY_PORT', '70000'],
    ['ORDER_UPSTREAMS', 'order:3000'],
    ['PAGER_UPSTREAMS', 'http://pager:3002,,http://x:1'],
    ['BARISTA_UPSTREAMS', 'http://barista:3001/brews'],
    ['PAGER_UPSTREAM_TIMEOUT_MS', '0'],
    ['GATEWAY_COOLDOWN_MS', 'soon'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig(GatewayConfig, { [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig(GatewayConfig, { [name]: value })).toThrow(new RegExp(name));
  });
});
