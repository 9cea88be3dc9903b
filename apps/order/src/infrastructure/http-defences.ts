import { Logger } from '@nestjs/common';
import {
  circuitBreaker,
  type CircuitBreakerPolicy,
  CircuitState,
  CountBreaker,
  ExponentialBackoff,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  isBrokenCircuitError,
  retry,
} from 'cockatiel';
import { type Hop, HopFailedError } from '../application/ports/hop-failed.error';
import type { OrderConfig } from '../order.config';

export interface BreakerSettings {
  /** Opens when more than this share of the calls in the window failed ... */
  readonly ratio: number;
  /** ... over the last `window` calls ... */
  readonly window: number;
  /** ... once the window holds at least this many. */
  readonly minCalls: number;
  /** How long an open circuit fails calls at once before one call probes again. */
  readonly cooldownMs: number;
}

export interface DefenceSettings {
  /** Attempts after the first one; 0: none. */
  readonly retries: number;
  readonly retryBaseMs: number;
  /** null: no circuit breaker. */
  readonly breaker: BreakerSettings | null;
}

/** The defences the order config asks for; HTTP_DEFENCES=off turns them all off. */
export function defenceSettings(config: OrderConfig): DefenceSettings {
  const on = config.HTTP_DEFENCES === 'on';
  return {
    retries: on ? config.HTTP_RETRIES : 0,
    retryBaseMs: config.HTTP_RETRY_BASE_MS,
    breaker:
      on && config.HTTP_BREAKER === 'on'
        ? {
            ratio: config.HTTP_BREAKER_RATIO,
            window: config.HTTP_BREAKER_WINDOW,
            minCalls: config.HTTP_BREAKER_MIN_CALLS,
            cooldownMs: config.HTTP_BREAKER_COOLDOWN_MS,
          }
        : null,
  };
}

/** The time one call to a downstream service may take, its retries and their delays included. */
export class Deadline {
  readonly signal: AbortSignal;
  private readonly endsAt: number;

  constructor(readonly ms: number) {
    this.signal = AbortSignal.timeout(ms);
    this.endsAt = performance.now() + ms;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - performance.now());
  }
}

export type CircuitView = 'closed' | 'open' | 'half-open' | 'off';

/** What the calls to one downstream service came to, since order started. */
export interface DefenceCounts {
  /** Calls made: one per hop of an order. */
  readonly calls: number;
  /** Requests sent: first attempts and retries. */
  readonly attempts: number;
  readonly retries: number;
  /** Calls failed at once by an open circuit, without a request. */
  readonly failedFast: number;
  /** Calls under way now (a gauge): waiting for an answer, a retry or a socket. */
  readonly inFlight: number;
}

const CIRCUIT_VIEWS: Record<CircuitState, CircuitView> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'open',
};

/** Worth another attempt: the service was not reached or failed (refused, reset, 5xx). */
const retryable = (error: Error) =>
  error instanceof HopFailedError && error.failure === 'unavailable';

/** Counts against the service: it failed or was too slow. A 4xx is the caller's fault. */
const serviceFailed = (error: Error) =>
  error instanceof HopFailedError && error.failure !== 'rejected';

/**
 * Delays that always leave the next attempt at least half of the time left: retries never run
 * past the call's deadline, however large the backoff has grown.
 */
function withinDeadline<C>(factory: IBackoffFactory<C>, deadline: Deadline): IBackoffFactory<C> {
  const capped = (backoff: IBackoff<C>): IBackoff<C> => ({
    duration: Math.min(backoff.duration, deadline.remainingMs() / 2),
    next: (context) => capped(backoff.next(context)),
  });
  return { next: (context) => capped(factory.next(context)) };
}

/**
 * The defences around one downstream service, built on cockatiel's policies: bounded retries
 * with decorrelated-jitter exponential backoff inside the call's deadline, and a circuit breaker
 * that judges each call after its retries (a blip the retries absorbed is not a failure of the
 * service). While the circuit is open no attempt, first or retried, leaves order: the call fails
 * at once with a {@link HopFailedError} naming the hop. After the cool-down one call probes the
 * service with a single attempt; while it is out, the others still fail at once.
 *
 * Retrying is safe only because every call carries an idempotency key (the order id) that
 * barista and pager honour.
 */
export class Defences {
  private readonly breaker: CircuitBreakerPolicy | null;
  private readonly logger = new Logger('Defences');
  private readonly counting = { calls: 0, attempts: 0, retries: 0, failedFast: 0, inFlight: 0 };

  constructor(
    private readonly hop: Hop,
    private readonly settings: DefenceSettings,
  ) {
    this.breaker = settings.breaker ? this.circuit(settings.breaker) : null;
  }

  get state(): CircuitView {
    return this.breaker ? CIRCUIT_VIEWS[this.breaker.state] : 'off';
  }

  get counts(): DefenceCounts {
    return { ...this.counting };
  }

  /** Runs `attempt` (one HTTP call that ends by `deadline`) under the defences. */
  async call<T>(attempt: () => Promise<T>, deadline: Deadline): Promise<T> {
    this.counting.calls += 1;
    this.counting.inFlight += 1;
    try {
      return await this.guarded(attempt, deadline);
    } finally {
      this.counting.inFlight -= 1;
    }
  }

  private async guarded<T>(attempt: () => Promise<T>, deadline: Deadline): Promise<T> {
    const counted = () => {
      this.counting.attempts += 1;
      return attempt();
    };
    const attempts = () => this.withRetries(counted, deadline);
    const breaker = this.breaker;
    if (!breaker) return attempts();
    // Cockatiel queues the calls that arrive while the half-open probe is out behind it, for as
    // long as the probe takes (up to its deadline); an open circuit should fail them at once.
    if (breaker.state === CircuitState.HalfOpen) throw this.failFast();
    try {
      return await breaker.execute(attempts);
    } catch (error) {
      if (isBrokenCircuitError(error)) throw this.failFast();
      throw error;
    }
  }

  private withRetries<T>(attempt: () => Promise<T>, deadline: Deadline): Promise<T> {
    const { retries, retryBaseMs } = this.settings;
    if (retries === 0) return attempt();
    // Only while the circuit is closed: a half-open probe is one attempt, and once other calls
    // opened the circuit, the retries already under way stop too (no retry storm).
    const closed = () => !this.breaker || this.breaker.state === CircuitState.Closed;
    // One policy per call: its backoff is bound to this call's deadline.
    const policy = retry(
      handleWhen((error) => retryable(error) && closed() && deadline.remainingMs() > retryBaseMs),
      {
        maxAttempts: retries,
        backoff: withinDeadline(new ExponentialBackoff({ initialDelay: retryBaseMs }), deadline),
      },
    );
    policy.onRetry((event) => {
      const why = 'error' in event ? event.error.message : 'failed';
      this.logger.debug(
        `${this.hop}: retry ${event.attempt} of ${retries} in ${Math.round(event.delay)} ms (${why})`,
      );
    });
    return policy.execute(({ attempt: retried }) => {
      if (retried > 0) {
        // The circuit may have opened while this call waited out its backoff.
        if (!closed()) throw this.circuitOpen('not retried: its circuit opened meanwhile');
        this.counting.retries += 1;
      }
      return attempt();
    });
  }

  private circuit(settings: BreakerSettings): CircuitBreakerPolicy {
    const breaker = circuitBreaker(handleWhen(serviceFailed), {
      halfOpenAfter: settings.cooldownMs,
      breaker: new CountBreaker({
        threshold: settings.ratio,
        size: settings.window,
        minimumNumberOfCalls: settings.minCalls,
      }),
    });
    breaker.onBreak(() =>
      this.logger.warn(
        `${this.hop} circuit open: failing calls at once for ${settings.cooldownMs} ms (${this.lastFailure()})`,
      ),
    );
    breaker.onHalfOpen(() => this.logger.log(`${this.hop} circuit half-open: probing`));
    breaker.onReset(() => this.logger.log(`${this.hop} circuit closed: ${this.hop} answers again`));
    return breaker;
  }

  private lastFailure(): string {
    const last = this.breaker?.lastFailure;
    return last && 'error' in last ? last.error.message : 'repeated failures';
  }

  /** A call the open circuit stops before it sends anything. */
  private failFast(): HopFailedError {
    this.counting.failedFast += 1;
    return this.circuitOpen();
  }

  private circuitOpen(
    what = 'not called: its circuit is open after repeated failures',
  ): HopFailedError {
    return new HopFailedError(
      this.hop,
      'unavailable',
      `${this.hop} ${what} (last: ${this.lastFailure()})`,
    );
  }
}
