import {
  busyPercent,
  databaseName,
  machineTicks,
  processCpuSeconds,
  urlOfDatabase,
} from './postgres';

const reading = (text: string) => () => text;
const failing = () => {
  throw new Error('ENOENT');
};

describe('bench PostgreSQL helpers', () => {
  it('reads user + system CPU from /proc/<pid>/stat, whatever the command name holds', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    const stat = '4242 (postgres: a) b) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0';
    expect(processCpuSeconds(4242, reading(stat))).toBe(3);
    expect(processCpuSeconds(1, failing)).toBeNull();
  });

  it('reads the machine’s busy and total ticks from /proc/stat, and the busy share between two', () => {
    const before = machineTicks(reading('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n'));
    const after = machineTicks(reading('cpu  250 0 100 850 50 0 0 0 0 0\n'));
    expect(before).toEqual({ busy: 150, total: 1000 });
    expect(after).toEqual({ busy: 350, total: 1250 });
    // 200 of 250 ticks busy on 2 cores: 160 % of one core.
    expect(busyPercent(before, after, 2)).toBe(160);
    expect(busyPercent(null, after, 2)).toBeNull();
    expect(machineTicks(failing)).toBeNull();
  });

  it('names scratch databases in lower case within 63 bytes, unique per call', () => {
    const a = databaseName('MzX12ab', 'rmq-scaleout-x3');
    expect(a).toMatch(/^bench_mzx12ab_rmq_scaleout_x3_[0-9a-f]{6}$/);
    expect(databaseName('MzX12ab', 'rmq-scaleout-x3')).not.toBe(a);
    expect(databaseName('r'.repeat(80), 't'.repeat(80)).length).toBeLessThanOrEqual(63);
    expect(urlOfDatabase('bench_x', 'postgres://postgres@127.0.0.1:5432/postgres')).toBe(
      'postgres://postgres@127.0.0.1:5432/bench_x',
    );
  });
});
