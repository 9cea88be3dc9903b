import 'reflect-metadata';
import { AtMost, DecimalRange, OnOff, type Switch } from './config-rules';
import { ConfigError, loadConfig } from './config';
import { IntRange } from './common.config';

class Rules {
  @OnOff()
  public readonly FEATURE: Switch = 'on';

  @DecimalRange(0.1, 0.9)
  public readonly SHARE: number = 0.5;

  @IntRange(1, 100)
  public readonly SIZE: number = 10;

  @IntRange(1, 100)
  @AtMost('SIZE')
  public readonly PART: number = 5;
}

const refusal = (env: Record<string, string>) => {
  try {
    loadConfig(Rules, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
};

describe('config rules', () => {
  it('reads on/off in any case, fractions, and a value bounded by another', () => {
    expect(loadConfig(Rules, { FEATURE: 'OFF', SHARE: '0.25', SIZE: '3', PART: '3' })).toEqual(
      Object.assign(new Rules(), { FEATURE: 'off', SHARE: 0.25, SIZE: 3, PART: 3 }),
    );
  });

  it.each([
    [{ FEATURE: 'true' }, 'FEATURE="true": accepts on or off'],
    [{ SHARE: '0.95' }, 'SHARE="0.95": accepts a number from 0.1 to 0.9'],
    [{ SHARE: 'x' }, 'SHARE="x": accepts a number from 0.1 to 0.9'],
    [{ PART: '11' }, 'PART="11": accepts at most SIZE (10)'],
    [{ SIZE: '2', PART: '3' }, 'PART="3": accepts at most SIZE (2)'],
  ])('refuses %j in one line', (env, message) => {
    expect(refusal(env)).toContain(message);
  });
});
