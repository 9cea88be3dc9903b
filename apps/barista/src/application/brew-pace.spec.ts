import { BrewPace } from './brew-pace';

describe('BrewPace', () => {
  it('brews at BREW_MS until slowed down, then at the factor, and back', () => {
    const pace = new BrewPace('b-1', 50);
    expect([pace.brewMs, pace.slowdown]).toEqual([50, 1]);

    pace.slowDown(10);
    expect([pace.brewMs, pace.slowdown]).toEqual([500, 10]);

    pace.slowDown(1);
    expect(pace.brewMs).toBe(50);
  });

  it('refuses a factor that would speed it up or is not a number', () => {
    const pace = new BrewPace('b-1', 50);
    expect(() => pace.slowDown(0.5)).toThrow(RangeError);
    expect(() => pace.slowDown(Number.NaN)).toThrow(RangeError);
    expect(pace.brewMs).toBe(50);
  });
});
