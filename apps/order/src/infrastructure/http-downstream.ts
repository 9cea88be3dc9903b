import { telemetryOn } from '@app/telemetry';
import { HttpHeaders, type IntegrationEvent } from '@app/contracts';
import { BalancedPool } from 'undici';
import { type Hop, HopFailedError } from '../application/ports/hop-failed.error';
import type { OrderConfig } from '../order.config';
import type { DownstreamCalls } from './downstream-calls';
import { Deadline, Defences, type DefenceSettings, defenceSettings } from './http-defences';

interface OutgoingRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly type: string;
}

/**
 * One service order calls over HTTP (barista or pager under TRANSPORT=http), balanced over its
 * URLs. Each call has a deadline, retries included, and the defences of {@link Defences}
 * (retries, a circuit breaker per service); every call carries an `Idempotency-Key`, so a retry
 * never brews or buzzes twice. A refused, failing or slow call rejects with a
 * {@link HopFailedError} that names the service.
 */
export class HttpDownstream {
  private readonly pool: BalancedPool;
  private readonly defences: Defences;
  private readonly sockets = { open: 0 };

  constructor(
    private readonly hop: Hop,
    urls: string,
    private readonly timeoutMs: number,
    settings: DefenceSettings,
    calls: DownstreamCalls,
  ) {
    this.pool = new BalancedPool(urls.split(','), { connections: 256, keepAliveTimeout: 30_000 });
    this.pool.on('connect', () => (this.sockets.open += 1));
    this.pool.on('disconnect', () => (this.sockets.open = Math.max(0, this.sockets.open - 1)));
    this.defences = new Defences(hop, settings);
    calls.register(hop, this.defences, () => this.sockets.open);
  }

  /** Barista or pager as the order app's config describes it, shown by `GET /downstreams`. */
  static of(hop: 'barista' | 'pager', config: OrderConfig, calls: DownstreamCalls): HttpDownstream {
    const [urls, timeoutMs] =
      hop === 'barista'
        ? [config.BARISTA_URL, config.BARISTA_TIMEOUT_MS]
        : [config.PAGER_URL, config.PAGER_TIMEOUT_MS];
    return new HttpDownstream(hop, urls, timeoutMs, defenceSettings(config), calls);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /** One call, under its downstream's defences, within the downstream's deadline. */
  post<T>(path: string, event: IntegrationEvent, idempotencyKey: string): Promise<T> {
    const deadline = new Deadline(this.timeoutMs);
    const body = JSON.stringify(event);
    const headers = {
      'content-type': 'application/json',
      [HttpHeaders.CorrelationId]: event.correlationId,
      // With tracing on, the undici instrumentation sends its client span's traceparent.
      ...(event.traceparent && !telemetryOn()
        ? { [HttpHeaders.Traceparent]: event.traceparent }
        : {}),
      [HttpHeaders.MessageId]: event.messageId,
      [HttpHeaders.IdempotencyKey]: idempotencyKey,
    };
    const request = { path, headers, body, type: event.type };
    return this.defences.call(() => this.attempt<T>(request, deadline), deadline);
  }

  private async attempt<T>(
    { path, headers, body, type }: OutgoingRequest,
    deadline: Deadline,
  ): Promise<T> {
    let statusCode: number;
    let text: string;
    try {
      const response = await this.pool.request({
        path,
        method: 'POST',
        headers,
        body,
        signal: deadline.signal,
      });
      statusCode = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw this.failure(error);
    }
    if (statusCode >= 500) {
      throw new HopFailedError(this.hop, 'unavailable', `${this.hop} answered ${statusCode}`);
    }
    if (statusCode >= 400) {
      throw new HopFailedError(
        this.hop,
        'rejected',
        `${this.hop} refused ${type} with ${statusCode}: ${text.slice(0, 300)}`,
      );
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new HopFailedError(
        this.hop,
        'rejected',
        `${this.hop} answered ${statusCode} with a body that is not JSON`,
      );
    }
  }

  private failure(error: unknown): HopFailedError {
    const { name, code, message } = error as { name?: string; code?: string; message?: string };
    if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT') {
      return new HopFailedError(
        this.hop,
        'timeout',
        `${this.hop} did not answer within ${this.timeoutMs} ms`,
      );
    }
    if (code === 'ECONNREFUSED') {
      return new HopFailedError(this.hop, 'unavailable', `${this.hop} refused the connection`);
    }
    return new HopFailedError(
      this.hop,
      'unavailable',
      `${this.hop} failed: ${code ?? name}: ${message}`,
    );
  }
}
