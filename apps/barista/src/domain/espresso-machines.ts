/**
 * The bar's espresso machines: at most `count` brews at once. Work that finds every machine busy
 * waits its turn, first come first served.
 */
export class EspressoMachines {
  private readonly free: number[];
  private readonly waiting: Array<(machine: number) => void> = [];

  constructor(public readonly count: number) {
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`An espresso bar needs at least one machine, got ${count}`);
    }
    this.free = Array.from({ length: count }, (_, i) => i + 1);
  }

  /** Resolves with the number (1..count) of the machine that is now yours. */
  acquire(): Promise<number> {
    const machine = this.free.shift();
    if (machine !== undefined) return Promise.resolve(machine);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(machine: number): void {
    const next = this.waiting.shift();
    if (next) next(machine);
    else this.free.push(machine);
  }

  get busy(): number {
    return this.count - this.free.length;
  }

  get queued(): number {
    return this.waiting.length;
  }
}
