import 'reflect-metadata';
import { loadConfig } from '@app/platform';
import { Logger } from '@nestjs/common';
import { HopFailedError } from '../application/ports/hop-failed.error';
import { OrderConfig } from '../order.config';
import { Deadline, Defences, type DefenceSettings, defenceSettings } from './http-defences';

const unavailable = () => new HopFailedError('barista', 'unavailable', 'barista answered 503');
const timedOut = () => new HopFailedError('barista', 'timeout', 'barista did not answer');

/** An attempt whose calls are counted and whose outcomes the test hands out one by one. */
function scripted(...outcomes: (() => Promise<string>)[]) {
  const attempt = jest.fn(() => (outcomes.shift() ?? (() => Promise.resolve('ok')))());
  return attempt;
}

const fail = (error: () => Error) => () => Promise.reject(error());

describe('defenceSettings', () => {
  it('maps the config; HTTP_DEFENCES=off turns off retries and breaker alike', () => {
    expect(defenceSettings(loadConfig(OrderConfig, {}))).toEqual({
      retries: 2,
      retryBaseMs: 100,
      breaker: { ratio: 0.5, window: 20, minCalls: 5, cooldownMs: 1000 },
    });
    expect(defenceSettings(loadConfig(OrderConfig, { HTTP_DEFENCES: 'off' }))).toMatchObject({
      retries: 0,
      breaker: null,
    });
    expect(defenceSettings(loadConfig(OrderConfig, { HTTP_BREAKER: 'off' }))).toMatchObject({
      retries: 2,
      breaker: null,
    });
  });
});

describe('Defences', () => {
  const settings: DefenceSettings = {
    retries: 2,
    retryBaseMs: 200,
    breaker: { ratio: 0.5, window: 1, minCalls: 1, cooldownMs: 1000 },
  };

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    jest.useFakeTimers();
    // Jitter at its middle: the backoff delays are the same on every run.
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('stops the retries of a call under way once other calls opened the circuit', async () => {
    const defences = new Defences('barista', settings);
    const x = scripted(fail(unavailable), fail(unavailable), fail(unavailable));
    const xCall = defences.call(x, new Deadline(10_000)).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(0);
    expect(x).toHaveBeenCalledTimes(1);

    // Meanwhile another call times out (not retried, but a failure): the circuit opens.
    const y = scripted(fail(timedOut));
    await expect(defences.call(y, new Deadline(10_000))).rejects.toMatchObject({
      failure: 'timeout',
    });
    expect(defences.state).toBe('open');

    await jest.advanceTimersByTimeAsync(2_000);
    const error = await xCall;
    expect(error).toBeInstanceOf(HopFailedError);
    expect((error as Error).message).toBe(
      'barista not retried: its circuit opened meanwhile (last: barista did not answer)',
    );
    expect(x).toHaveBeenCalledTimes(1);
  });

  it('probes after the cool-down with one attempt, failing the other calls at once meanwhile', async () => {
    const defences = new Defences('barista', settings);
    await defences.call(scripted(fail(timedOut)), new Deadline(10_000)).catch(() => undefined);
    expect(defences.state).toBe('open');

    const early = scripted();
    await expect(defences.call(early, new Deadline(10_000))).rejects.toThrow(/circuit is open/);
    expect(early).not.toHaveBeenCalled();

    await jest.advanceTimersByTimeAsync(1_000);
    let answer: (value: Promise<string>) => void = () => undefined;
    const probe = jest.fn(() => new Promise<string>((resolve) => (answer = resolve)));
    const probing = defences.call(probe, new Deadline(10_000)).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(0);
    expect(defences.state).toBe('half-open');

    const meanwhile = scripted();
    await expect(defences.call(meanwhile, new Deadline(10_000))).rejects.toThrow(/circuit is open/);
    expect(meanwhile).not.toHaveBeenCalled();

    answer(Promise.reject(unavailable()));
    expect(await probing).toMatchObject({ message: 'barista answered 503' });
    expect(probe).toHaveBeenCalledTimes(1);
    expect(defences.state).toBe('open');

    await jest.advanceTimersByTimeAsync(1_000);
    await expect(defences.call(scripted(), new Deadline(10_000))).resolves.toBe('ok');
    expect(defences.state).toBe('closed');
  });

  it('waits at most half the time left before each retry, and begins none past the deadline', async () => {
    const defences = new Defences('barista', {
      retries: 10,
      retryBaseMs: 100,
      breaker: null,
    });
    const started = performance.now();
    const at: number[] = [];
    const attempt = jest.fn(() => {
      at.push(performance.now() - started);
      return Promise.reject(unavailable());
    });
    const calling = defences.call(attempt, new Deadline(500)).catch((e: unknown) => e);

    await jest.advanceTimersByTimeAsync(500);
    expect(await calling).toMatchObject({ message: 'barista answered 503' });
    // Uncapped, this backoff's fourth delay alone (about 200 ms) would overrun the half.
    expect(at.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < at.length; i++) {
      expect(at[i] - at[i - 1]).toBeLessThanOrEqual((500 - at[i - 1]) / 2 + 1);
    }
    expect(Math.max(...at)).toBeLessThan(500);
  });

  it('counts the calls under way: a hung service holds them, an open circuit does not', async () => {
    const defences = new Defences('barista', settings);
    let answer: (outcome: Promise<string>) => void = () => undefined;
    const hung = () => new Promise<string>((resolve) => (answer = (o) => resolve(o)));
    const calling = defences.call(hung, new Deadline(10_000)).catch((e: unknown) => e);
    expect(defences.counts.inFlight).toBe(1);

    answer(Promise.reject(timedOut()));
    await calling;
    expect(defences.counts.inFlight).toBe(0);
    // The circuit is open now: the next call fails at once and never counts as under way.
    await expect(defences.call(scripted(), new Deadline(10_000))).rejects.toThrow(/circuit/);
    expect(defences.counts).toMatchObject({ inFlight: 0, failedFast: 1 });
  });
});
