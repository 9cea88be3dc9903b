import { Balancer } from './balancer';

const A = 'http://10.0.0.1:3001';
const B = 'http://10.0.0.2:3001';
const C = 'http://10.0.0.3:3001';

function balancerAt(urls: string[], cooldownMs = 1000) {
  const clock = { now: 0 };
  const balancer = new Balancer(cooldownMs, () => clock.now);
  balancer.setInstances(urls);
  return { balancer, clock };
}

describe('Balancer', () => {
  it('takes the instances in turn', () => {
    const { balancer } = balancerAt([A, B, C]);
    expect(Array.from({ length: 6 }, () => balancer.pick())).toEqual([A, B, C, A, B, C]);
  });

  it('skips an instance that failed, for the cool-down only, then takes it again', () => {
    const { balancer, clock } = balancerAt([A, B], 1000);
    balancer.failed(A);
    expect([balancer.pick(), balancer.pick(), balancer.pick()]).toEqual([B, B, B]);
    expect(balancer.states()).toEqual([
      { url: A, status: 'down', downUntil: new Date(1000).toISOString() },
      { url: B, status: 'up' },
    ]);
    clock.now = 999;
    expect(balancer.pick()).toBe(B);
    clock.now = 1000;
    expect(new Set([balancer.pick(), balancer.pick()])).toEqual(new Set([A, B]));
  });

  it('keeps a recovered instance after a success, drops it again after another failure', () => {
    const { balancer, clock } = balancerAt([A], 1000);
    balancer.failed(A);
    expect(balancer.up).toBe(false);
    expect(balancer.pick()).toBeUndefined();
    clock.now = 1500;
    expect(balancer.pick()).toBe(A);
    balancer.failed(A);
    expect(balancer.pick()).toBeUndefined();
    balancer.succeeded(A);
    expect(balancer.up).toBe(true);
  });

  it('leaves out the instances already tried for this request', () => {
    const { balancer } = balancerAt([A, B, C]);
    expect(balancer.pick(new Set([A, B]))).toBe(C);
    expect(balancer.canPick(new Set([A, B, C]))).toBe(false);
    expect(balancer.pick(new Set([A, B, C]))).toBeUndefined();
  });

  it('is down with no instances at all', () => {
    const { balancer } = balancerAt([]);
    expect(balancer.up).toBe(false);
    expect(balancer.pick()).toBeUndefined();
  });

  it('keeps the state of the instances a refresh still lists, and forgets the others', () => {
    const { balancer } = balancerAt([A, B]);
    balancer.failed(A);
    balancer.setInstances([A, C, C]);
    expect(balancer.urls).toEqual([A, C]);
    expect(balancer.states().map((state) => state.status)).toEqual(['down', 'up']);
  });
});
