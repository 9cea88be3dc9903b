import { request } from 'undici';

/** One thing an app needs in order to do its work: the broker, a downstream service. */
export interface ReadinessCheck {
  /** Names the check in `GET /health`'s `checks`. */
  readonly name: string;
  check(): Promise<CheckResult> | CheckResult;
}

export interface CheckResult {
  readonly status: 'up' | 'down';
  readonly [detail: string]: unknown;
}

/** The app's readiness checks (an array of {@link ReadinessCheck}); none: ready when running. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/**
 * The app's store, checked beside the others (a {@link ReadinessCheck} named `database`):
 * provided by the storage library, so that it adds to the broker's or the downstreams' checks
 * instead of replacing them.
 */
export const DATABASE_CHECK = Symbol('DATABASE_CHECK');

/**
 * A service this app calls over HTTP, up when at least one of its instances answers
 * `GET /health` with 200 within `timeoutMs` (so a health request never waits on a hung
 * downstream longer than that).
 */
export class DownstreamHealthCheck implements ReadinessCheck {
  constructor(
    readonly name: string,
    private readonly urls: readonly string[],
    private readonly timeoutMs: number,
  ) {}

  async check(): Promise<CheckResult> {
    const instances = await Promise.all(this.urls.map((url) => this.probe(url)));
    const up = instances.some((instance) => instance.status === 'up');
    return { status: up ? 'up' : 'down', instances };
  }

  private describe(error: unknown): string {
    // Duck-typed: undici's errors may come from another realm (jest's), failing instanceof.
    const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
    if (name === 'TimeoutError') return `no answer within ${this.timeoutMs} ms`;
    return causeCode(error) ?? (typeof message === 'string' ? message : String(error));
  }

  private async probe(
    url: string,
  ): Promise<{ url: string; status: 'up' | 'down'; error?: string }> {
    try {
      const response = await request(new URL('/health', url), {
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.body.dump();
      return response.statusCode === 200
        ? { url, status: 'up' }
        : { url, status: 'down', error: `answered ${response.statusCode}` };
    } catch (error) {
      return { url, status: 'down', error: this.describe(error) };
    }
  }
}

/** The error's code (ECONNREFUSED, ...) or message, looking through its causes. */
function causeCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return typeof code === 'string' ? code : causeCode(cause);
}
