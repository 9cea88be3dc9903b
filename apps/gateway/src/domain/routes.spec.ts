import { RouteTable } from './routes';

const table = new RouteTable(
  [
    {
      name: 'order',
      prefixes: ['/orders', '/board'],
      upstreams: 'http://order:3000,http://10.0.0.9:3000/',
      timeoutMs: 100,
    },
    { name: 'pager', prefixes: ['/buzzes'], upstreams: 'http://pager:3002', timeoutMs: 100 },
  ],
  1000,
);

describe('RouteTable', () => {
  it.each([
    ['/orders', 'order'],
    ['/orders/', 'order'],
    ['/orders/42?x=1', 'order'],
    ['/orders?page=2', 'order'],
    ['/board', 'order'],
    ['/board/stream', 'order'],
    ['/buzzes/stream', 'pager'],
  ])('sends %s to %s', (path, name) => {
    expect(table.match(path)?.name).toBe(name);
  });

  it.each(['/', '/ordersx', '/order', '/health', '/metrics', '/brews', '/x/orders'])(
    'has no route for %s',
    (path) => {
      expect(table.match(path)).toBeUndefined();
    },
  );

  it('keeps each upstream as an origin and balances over them', () => {
    const order = table.match('/orders')!;
    expect(order.upstreams).toEqual(['http://order:3000', 'http://10.0.0.9:3000']);
    expect(order.balancer.urls).toEqual(order.upstreams);
  });
});
