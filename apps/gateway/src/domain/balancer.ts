export interface InstanceState {
  readonly url: string;
  readonly status: 'up' | 'down';
  /** Until when a down instance is left out (ISO time). */
  readonly downUntil?: string;
}

interface Instance {
  readonly url: string;
  downUntil: number;
}

/**
 * Round-robin over one service's instances, with passive health: an instance that failed (refused
 * a connection, timed out) is skipped for `cooldownMs`, then takes its turn again; the next
 * request it serves decides whether it stays.
 */
export class Balancer {
  private instances: Instance[] = [];
  private cursor = 0;

  constructor(
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Replaces the instance list (a DNS refresh); instances still listed keep their state. */
  setInstances(urls: readonly string[]): void {
    const known = new Map(this.instances.map((instance) => [instance.url, instance]));
    this.instances = [...new Set(urls)].map((url) => known.get(url) ?? { url, downUntil: 0 });
  }

  get urls(): string[] {
    return this.instances.map((instance) => instance.url);
  }

  /** The next instance believed up and not in `exclude`, or undefined when there is none. */
  pick(exclude: ReadonlySet<string> = new Set()): string | undefined {
    const count = this.instances.length;
    const now = this.now();
    for (let step = 0; step < count; step += 1) {
      const instance = this.instances[(this.cursor + step) % count];
      if (instance.downUntil <= now && !exclude.has(instance.url)) {
        this.cursor = (this.cursor + step + 1) % count;
        return instance.url;
      }
    }
    return undefined;
  }

  /** Whether {@link pick} would find an instance (without moving the rotation on). */
  canPick(exclude: ReadonlySet<string> = new Set()): boolean {
    const now = this.now();
    return this.instances.some((i) => i.downUntil <= now && !exclude.has(i.url));
  }

  failed(url: string): void {
    const instance = this.instances.find((candidate) => candidate.url === url);
    if (instance) instance.downUntil = this.now() + this.cooldownMs;
  }

  succeeded(url: string): void {
    const instance = this.instances.find((candidate) => candidate.url === url);
    if (instance) instance.downUntil = 0;
  }

  /** At least one instance is believed up. */
  get up(): boolean {
    return this.canPick();
  }

  states(): InstanceState[] {
    const now = this.now();
    return this.instances.map(({ url, downUntil }) =>
      downUntil <= now
        ? { url, status: 'up' }
        : { url, status: 'down', downUntil: new Date(downUntil).toISOString() },
    );
  }
}
