import { telemetryOn } from '@app/telemetry';
import {
  type CoffeeBrewed,
  HttpHeaders,
  type IntegrationEvent,
  type OrderPlaced,
} from '@app/contracts';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { BalancedPool } from 'undici';
import { MarkOrderReadyCommand } from '../application/commands/mark-order-ready/mark-order-ready.command';
import {
  type HandOver,
  type Hop,
  HopFailedError,
  OrderEvents,
} from '../application/ports/order-events.port';
import { OrderConfig } from '../order.config';
import { DownstreamCalls } from './downstream-calls';
import { Deadline, Defences, type DefenceSettings, defenceSettings } from './http-defences';

interface Downstream {
  readonly hop: Hop;
  readonly pool: BalancedPool;
  readonly timeoutMs: number;
  readonly defences: Defences;
  readonly sockets: { open: number };
}

interface OutgoingRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly type: string;
}

/**
 * TRANSPORT=http: the counter waits. It posts OrderPlaced to a barista (balanced over
 * BARISTA_URL) and waits for CoffeeBrewed, marks the order ready, then posts CoffeeBrewed to the
 * pager. Each call has a deadline, retries included, and the defences of {@link Defences}
 * (retries, a circuit breaker per service); every call carries the order id as its
 * `Idempotency-Key`, so a retry never brews or buzzes twice. A refused, failing or slow hop ends
 * the chain with a {@link HopFailedError} that names it.
 */
@Injectable()
export class HttpOrderEvents extends OrderEvents implements OnApplicationShutdown {
  private readonly barista: Downstream;
  private readonly pager: Downstream;
  private readonly logger = new Logger('Counter');

  constructor(
    config: OrderConfig,
    private readonly commands: CommandBus,
    calls: DownstreamCalls,
  ) {
    super();
    const defences = defenceSettings(config);
    this.barista = downstream('barista', config.BARISTA_URL, config.BARISTA_TIMEOUT_MS, defences);
    this.pager = downstream('pager', config.PAGER_URL, config.PAGER_TIMEOUT_MS, defences);
    for (const to of [this.barista, this.pager])
      calls.register(to.hop, to.defences, () => to.sockets.open);
  }

  async orderPlaced(event: OrderPlaced): Promise<HandOver> {
    const key = event.data.orderId;
    this.logger.log({ msg: 'Handing the order to barista', orderId: key });
    const brewed = await this.post<CoffeeBrewed>(this.barista, '/brews', event, key);
    if (brewed?.data?.orderId !== event.data.orderId) {
      throw new HopFailedError('barista', 'rejected', 'barista answered with another order');
    }
    await this.commands.execute(new MarkOrderReadyCommand(brewed));
    this.logger.log({ msg: 'Asking pager to buzz', orderId: key });
    await this.post(this.pager, '/buzzes', brewed, key);
    return 'completed';
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.barista.pool.close(), this.pager.pool.close()]);
  }

  /** One call, under its downstream's defences, within the downstream's deadline. */
  private post<T>(
    to: Downstream,
    path: string,
    event: IntegrationEvent,
    idempotencyKey: string,
  ): Promise<T> {
    const deadline = new Deadline(to.timeoutMs);
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
    return to.defences.call(() => this.attempt<T>(to, request, deadline), deadline);
  }

  private async attempt<T>(
    to: Downstream,
    { path, headers, body, type }: OutgoingRequest,
    deadline: Deadline,
  ): Promise<T> {
    let statusCode: number;
    let text: string;
    try {
      const response = await to.pool.request({
        path,
        method: 'POST',
        headers,
        body,
        signal: deadline.signal,
      });
      statusCode = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      throw this.failure(to, error);
    }
    if (statusCode >= 500) {
      throw new HopFailedError(to.hop, 'unavailable', `${to.hop} answered ${statusCode}`);
    }
    if (statusCode >= 400) {
      throw new HopFailedError(
        to.hop,
        'rejected',
        `${to.hop} refused ${type} with ${statusCode}: ${text.slice(0, 300)}`,
      );
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new HopFailedError(
        to.hop,
        'rejected',
        `${to.hop} answered ${statusCode} with a body that is not JSON`,
      );
    }
  }

  private failure(to: Downstream, error: unknown): HopFailedError {
    const { name, code, message } = error as { name?: string; code?: string; message?: string };
    if (name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT') {
      return new HopFailedError(
        to.hop,
        'timeout',
        `${to.hop} did not answer within ${to.timeoutMs} ms`,
      );
    }
    if (code === 'ECONNREFUSED') {
      return new HopFailedError(to.hop, 'unavailable', `${to.hop} refused the connection`);
    }
    return new HopFailedError(
      to.hop,
      'unavailable',
      `${to.hop} failed: ${code ?? name}: ${message}`,
    );
  }
}

function downstream(
  hop: Hop,
  urls: string,
  timeoutMs: number,
  defences: DefenceSettings,
): Downstream {
  const pool = new BalancedPool(urls.split(','), { connections: 256, keepAliveTimeout: 30_000 });
  const sockets = { open: 0 };
  pool.on('connect', () => (sockets.open += 1));
  pool.on('disconnect', () => (sockets.open = Math.max(0, sockets.open - 1)));
  return { hop, pool, timeoutMs, defences: new Defences(hop, defences), sockets };
}
