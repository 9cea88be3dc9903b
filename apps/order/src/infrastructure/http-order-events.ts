import {
  type CoffeeBrewed,
  HttpHeaders,
  type IntegrationEvent,
  type OrderPlaced,
} from '@app/contracts';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
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

interface Downstream {
  readonly hop: Hop;
  readonly pool: BalancedPool;
  readonly timeoutMs: number;
}

/**
 * TRANSPORT=http: the counter waits. It posts OrderPlaced to a barista (balanced over
 * BARISTA_URL) and waits for CoffeeBrewed, marks the order ready, then posts CoffeeBrewed to the
 * pager. Each call has a deadline; a refused, failing or slow hop ends the chain with a
 * {@link HopFailedError} that names it.
 */
@Injectable()
export class HttpOrderEvents extends OrderEvents implements OnApplicationShutdown {
  private readonly barista: Downstream;
  private readonly pager: Downstream;

  constructor(
    config: OrderConfig,
    private readonly commands: CommandBus,
  ) {
    super();
    this.barista = downstream('barista', config.BARISTA_URL, config.BARISTA_TIMEOUT_MS);
    this.pager = downstream('pager', config.PAGER_URL, config.PAGER_TIMEOUT_MS);
  }

  async orderPlaced(event: OrderPlaced): Promise<HandOver> {
    const brewed = await this.post<CoffeeBrewed>(this.barista, '/brews', event);
    if (brewed?.data?.orderId !== event.data.orderId) {
      throw new HopFailedError('barista', 'rejected', 'barista answered with another order');
    }
    await this.commands.execute(new MarkOrderReadyCommand(brewed));
    await this.post(this.pager, '/buzzes', brewed);
    return 'completed';
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.barista.pool.close(), this.pager.pool.close()]);
  }

  private async post<T>(to: Downstream, path: string, event: IntegrationEvent): Promise<T> {
    let statusCode: number;
    let text: string;
    try {
      const response = await to.pool.request({
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [HttpHeaders.CorrelationId]: event.correlationId,
          [HttpHeaders.MessageId]: event.messageId,
        },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(to.timeoutMs),
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
        `${to.hop} refused ${event.type} with ${statusCode}: ${text.slice(0, 300)}`,
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

function downstream(hop: Hop, urls: string, timeoutMs: number): Downstream {
  const pool = new BalancedPool(urls.split(','), { connections: 256, keepAliveTimeout: 30_000 });
  return { hop, pool, timeoutMs };
}
