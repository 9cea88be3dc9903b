import type { BrewSettings } from './ports/brew-events.port';

/**
 * The barista's identity and pace. The pace is BREW_MS unless a slowdown is in force: the
 * benchmark's `barista-slow` fault multiplies it for a while (only reachable with
 * FAULT_INJECTION=on) to show what a slow callee does to its callers.
 */
export class BrewPace implements BrewSettings {
  private factor = 1;

  constructor(
    readonly baristaId: string,
    private readonly baseMs: number,
    readonly claimLeaseMs = 3_000,
  ) {}

  get brewMs(): number {
    return Math.round(this.baseMs * this.factor);
  }

  get slowdown(): number {
    return this.factor;
  }

  /** Brews take `factor` times BREW_MS from now on (1: normal again); brews under way keep theirs. */
  slowDown(factor: number): void {
    if (!Number.isFinite(factor) || factor < 1) {
      throw new RangeError(`A slowdown is a factor of at least 1, got ${factor}`);
    }
    this.factor = factor;
  }
}
