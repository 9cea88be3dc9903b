import { RouteTable } from '../domain/routes';
import { type Lookup, resolveUpstream, UpstreamDiscovery } from './upstream-discovery';

const replicas: Lookup = (host) =>
  Promise.resolve(
    host === 'barista'
      ? [
          { address: '172.18.0.5', family: 4 },
          { address: '172.18.0.6', family: 4 },
          { address: '172.18.0.7', family: 4 },
        ]
      : [
          { address: '::1', family: 6 },
          { address: '127.0.0.1', family: 4 },
        ],
  );

describe('resolveUpstream', () => {
  it('expands a host name to one instance per address', async () => {
    await expect(resolveUpstream('http://barista:3001', replicas)).resolves.toEqual([
      'http://172.18.0.5:3001',
      'http://172.18.0.6:3001',
      'http://172.18.0.7:3001',
    ]);
  });

  it('keeps one address family, so that localhost is one instance', async () => {
    await expect(resolveUpstream('http://localhost:3002', replicas)).resolves.toEqual([
      'http://127.0.0.1:3002',
    ]);
  });

  it('brackets IPv6 addresses and leaves IP literals alone', async () => {
    const v6only: Lookup = () => Promise.resolve([{ address: 'fd00::2', family: 6 }]);
    await expect(resolveUpstream('http://pager:3002', v6only)).resolves.toEqual([
      'http://[fd00::2]:3002',
    ]);
    const never: Lookup = () => Promise.reject(new Error('not called'));
    await expect(resolveUpstream('http://[::1]:3002', never)).resolves.toEqual([
      'http://[::1]:3002',
    ]);
    await expect(resolveUpstream('http://10.1.2.3:80', never)).resolves.toEqual([
      'http://10.1.2.3',
    ]);
  });
});

describe('UpstreamDiscovery', () => {
  const table = () =>
    new RouteTable(
      [{ name: 'barista', prefixes: ['/brews'], upstreams: 'http://barista:3001', timeoutMs: 1 }],
      1000,
    );

  it('gives each route the addresses of its names, and follows them as they change', async () => {
    const routes = table();
    const answers = [
      [{ address: '172.18.0.5', family: 4 }],
      [
        { address: '172.18.0.5', family: 4 },
        { address: '172.18.0.6', family: 4 },
      ],
    ];
    const discovery = new UpstreamDiscovery(routes, 60_000, () =>
      Promise.resolve(answers.shift() ?? []),
    );
    await discovery.onModuleInit();
    discovery.onModuleDestroy();
    const barista = routes.routes[0].balancer;
    expect(barista.urls).toEqual(['http://172.18.0.5:3001']);
    await discovery.refresh();
    expect(barista.urls).toEqual(['http://172.18.0.5:3001', 'http://172.18.0.6:3001']);
  });

  it('keeps the last known addresses when a name fails to resolve, none before that', async () => {
    const routes = table();
    let fail = true;
    const lookup: Lookup = () =>
      fail
        ? Promise.reject(new Error('getaddrinfo ENOTFOUND barista'))
        : Promise.resolve([{ address: '172.18.0.5', family: 4 }]);
    const discovery = new UpstreamDiscovery(routes, 60_000, lookup);
    const barista = routes.routes[0].balancer;
    await discovery.refresh();
    expect(barista.urls).toEqual([]);
    expect(barista.up).toBe(false);
    fail = false;
    await discovery.refresh();
    fail = true;
    await discovery.refresh();
    expect(barista.urls).toEqual(['http://172.18.0.5:3001']);
  });
});
