import { categorize, profilesMarkdown, summarizeProfile, type CpuProfile } from './profiles';

const frame = (functionName: string, url = '') => ({ functionName, url });

/** root → idle; root → Module._load → compile; root → handler (app) → validate, writev. */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 5, 8] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('Module._load', 'node:internal/modules/cjs/loader'), children: [4] },
    { id: 4, callFrame: frame('compile', '/app/node_modules/@nestjs/core/index.js') },
    { id: 5, callFrame: frame('handle', '/app/dist/apps/order/main.js'), children: [6, 7] },
    { id: 6, callFrame: frame('validate', '/app/node_modules/class-validator/cjs/index.js') },
    { id: 7, callFrame: frame('writev') },
    { id: 8, callFrame: frame('(garbage collector)') },
  ],
  samples: [2, 2, 4, 5, 6, 6, 7, 8],
  timeDeltas: [1000, 1000, 500, 1000, 1000, 1000, 500, 500],
};

describe('CPU profile summary', () => {
  it('splits busy time by category, leaving idle and start-up code loading out', () => {
    const summary = summarizeProfile(profile, 'rmq-shop-order-1.cpuprofile');

    expect(summary.totalMs).toBe(6.5);
    expect(summary.startupMs).toBe(0.5);
    expect(summary.busyMs).toBe(4);
    expect(summary.shares['app code']).toBeCloseTo(0.25);
    expect(summary.shares.validation).toBeCloseTo(0.5);
    expect(summary.shares['socket syscalls']).toBeCloseTo(0.125);
    expect(summary.shares.GC).toBeCloseTo(0.125);
    expect(summary.shares.NestJS).toBe(0);
    const total = Object.values(summary.shares).reduce((sum, share) => sum + share, 0);
    expect(total).toBeCloseTo(1);
  });

  it.each([
    ['emit', '/x/node_modules/@nestjs/microservices/server/server.js', 'NestJS'],
    ['next', '/x/node_modules/rxjs/dist/cjs/internal/Subscriber.js', 'rxjs'],
    ['lookup', '/x/node_modules/find-my-way/index.js', 'Fastify'],
    ['publish', '/x/node_modules/amqplib/lib/channel.js', 'AMQP client'],
    ['request', '/x/node_modules/undici/lib/api/api-request.js', 'undici'],
    ['sqliteTransaction', '/x/node_modules/better-sqlite3/lib/methods/transaction.js', 'SQLite'],
    ['parserOnIncoming', 'node:_http_server', 'Node http/net/streams'],
    ['post', 'file:///x/bench/baseline/common.js', 'app code'],
    ['deprecate', 'node:internal/util', 'Node other'],
    ['(program)', '', 'other'],
  ])('puts %s (%s) under %s', (name, url, category) => {
    expect(categorize(name, url)).toBe(category);
  });

  it('renders one row per profile', () => {
    const text = profilesMarkdown([summarizeProfile(profile, 'rmq-shop-order-1.cpuprofile')]);

    expect(text).toContain('| rmq-shop-order-1 | 0.00 |');
    expect(text).toContain('50.0 %');
  });
});
