import { SqliteDatabase } from './sqlite-database';
import { LeaseHeldError, SqliteLease, sqliteLeaseSchema } from './sqlite-lease';
import { tempDir } from './testing/temp-dir';

const timing = { heartbeatMs: 2000, lapseMs: 6000 };

describe('SqliteLease: one process at a time on a SQLite file', () => {
  const dir = tempDir('lease-');
  const path = dir.file('order.sqlite');
  const held: SqliteLease[] = [];
  let raw: SqliteDatabase;

  const acquire = async (holder: string) => {
    const lease = await SqliteLease.acquire(path, 'order', { holder, timing });
    held.push(lease);
    return lease;
  };
  /** Starts acquiring without waiting, and lets the fake clock run `ms` meanwhile. */
  const acquireWhile = async (holder: string, ms: number) => {
    const outcome = SqliteLease.acquire(path, 'order', { holder, timing }).then(
      (lease) => (held.push(lease), lease),
      (error: unknown) => error,
    );
    await jest.advanceTimersByTimeAsync(ms);
    return outcome;
  };
  /** The row as the file holds it. */
  const row = () =>
    raw.prepare<[], { holder: string; beats: number }>('SELECT holder, beats FROM lease').get();
  /** A lease row left by a holder that no longer runs (killed with -9), renewed `ago` ms ago. */
  const leftBy = (holder: string, ago: number) =>
    raw
      .prepare('INSERT INTO lease (name, holder, beats, renewed_at) VALUES (?, ?, 7, ?)')
      .run('order', holder, Date.now() - ago);

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    raw = SqliteDatabase.open({ path, migrations: [sqliteLeaseSchema], checkpointEveryMs: 0 });
    raw.prepare('DELETE FROM lease').run();
  });

  afterEach(() => {
    for (const lease of held.splice(0)) lease.release();
    raw.close();
    jest.useRealTimers();
  });

  afterAll(() => dir.remove());

  it('is taken at once on a file nobody holds, and renewed every heartbeat', async () => {
    const lease = await acquire('a');

    expect(row()).toEqual({ holder: 'a', beats: 0 });
    await jest.advanceTimersByTimeAsync(timing.heartbeatMs * 3);
    expect(row()).toEqual({ holder: lease.holder, beats: 3 });
  });

  it('refuses a second holder while the first renews, naming the first', async () => {
    await acquire('a');

    const second = await acquireWhile('b', timing.lapseMs * 2);

    expect(second).toBeInstanceOf(LeaseHeldError);
    expect((second as LeaseHeldError).holder).toBe('a');
    expect(row()?.holder).toBe('a');
  });

  it('takes over a fresh lease that is not renewed for a lapse period (its holder was killed)', async () => {
    leftBy('dead', 1000);

    const early = SqliteLease.acquire(path, 'order', { holder: 'b', timing }).then((lease) => {
      held.push(lease);
      return lease;
    });
    await jest.advanceTimersByTimeAsync(timing.lapseMs / 2);
    expect(row()?.holder).toBe('dead'); // still waiting: it might yet be renewed

    await jest.advanceTimersByTimeAsync(timing.lapseMs);
    expect((await early).holder).toBe('b');
    expect(row()?.holder).toBe('b');
  });

  it('takes over a lease not renewed for longer than the lapse period without waiting', async () => {
    leftBy('dead', timing.lapseMs + 1);

    const lease = await acquire('b');

    expect(lease.holder).toBe('b');
    expect(row()).toEqual({ holder: 'b', beats: 0 });
  });

  it('is free again at once after a release', async () => {
    const first = await acquire('a');
    first.release();

    expect(row()).toBeUndefined();
    expect((await acquire('b')).holder).toBe('b');
  });

  it('tells its holder once if another took it over while it was frozen', async () => {
    const lease = await acquire('a');
    const lost = jest.fn();
    lease.onLost = lost;
    raw.prepare("UPDATE lease SET holder = 'b', beats = 0").run();

    await jest.advanceTimersByTimeAsync(timing.heartbeatMs * 3);

    expect(lost.mock.calls).toEqual([['b']]);
    expect(row()).toEqual({ holder: 'b', beats: 0 }); // not renewed, nor released, by the loser
    lease.release();
    expect(row()?.holder).toBe('b');
  });

  it('names its holder after the host and the process, with a random part', () => {
    const [one, two] = [SqliteLease.newHolder(), SqliteLease.newHolder()];

    expect(one).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
    expect(one).not.toBe(two);
  });
});
