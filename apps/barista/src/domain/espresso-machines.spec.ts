import { EspressoMachines } from './espresso-machines';

/** Lets every already-settled promise callback run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Acquires a machine and remembers whether (and which) one was handed over. */
function track(machines: EspressoMachines) {
  const state: { machine?: number } = {};
  void machines.acquire().then((machine) => (state.machine = machine));
  return state;
}

describe('EspressoMachines', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses %p machines', (count) => {
    expect(() => new EspressoMachines(count)).toThrow(RangeError);
  });

  it('hands out at most N machines at once, each a different one from 1 to N', async () => {
    const machines = new EspressoMachines(3);

    const got = await Promise.all([machines.acquire(), machines.acquire(), machines.acquire()]);
    const fourth = track(machines);
    await flush();

    expect([...got].sort()).toEqual([1, 2, 3]);
    expect(fourth.machine).toBeUndefined();
    expect(machines.busy).toBe(3);
    expect(machines.queued).toBe(1);
  });

  it('hands a released machine to the first waiter, first come first served', async () => {
    const machines = new EspressoMachines(2);
    const [a, b] = await Promise.all([machines.acquire(), machines.acquire()]);
    const first = track(machines);
    const second = track(machines);
    const third = track(machines);
    await flush();
    expect(machines.queued).toBe(3);

    machines.release(b);
    await flush();
    expect(first.machine).toBe(b);
    expect(second.machine).toBeUndefined();
    expect(third.machine).toBeUndefined();

    machines.release(a);
    await flush();
    expect(second.machine).toBe(a);
    expect(third.machine).toBeUndefined();

    machines.release(b);
    await flush();
    expect(third.machine).toBe(b);
    expect(machines.busy).toBe(2);
    expect(machines.queued).toBe(0);
  });

  it('makes a released machine free again when nobody waits', async () => {
    const machines = new EspressoMachines(1);
    const machine = await machines.acquire();

    machines.release(machine);

    expect(machines.busy).toBe(0);
    await expect(machines.acquire()).resolves.toBe(machine);
    expect(machines.busy).toBe(1);
  });
});
