import { type PgDatabase } from '@app/storage';
import {
  type BeforeApplicationShutdown,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Client } from 'pg';
import { type Observable, Subject } from 'rxjs';
import {
  OrderStatusFeed,
  type OrderStatusUpdate,
} from '../application/ports/order-status-feed.port';

/**
 * The live feed across every order instance on one PostgreSQL database: a change is published
 * with NOTIFY once committed, and each instance LISTENs on one connection of its own, so a board
 * open on any instance sees the changes every instance makes (its own included, the same way).
 * When that connection drops (a PostgreSQL restart) it connects again, with a growing pause;
 * changes made meanwhile are not replayed: the board shows them from `GET /orders`.
 */
export class PgOrderStatusFeed
  extends OrderStatusFeed
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger('OrderStatusFeed');
  private readonly updates = new Subject<OrderStatusUpdate>();
  readonly live: Observable<OrderStatusUpdate> = this.updates.asObservable();
  /** One channel per schema: shops (and test runs) sharing a database do not hear each other. */
  private readonly channel: string;
  private listener: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private delayMs = RETRY_MS;
  private lost = false;
  private stopped = false;

  constructor(
    private readonly db: PgDatabase,
    private readonly url: string,
  ) {
    super();
    this.channel = `${db.schema}.order_status`;
  }

  publish(updates: readonly OrderStatusUpdate[]): void {
    const payloads = updates.map((update) => JSON.stringify(update));
    this.db
      .query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [
        this.channel,
        payloads,
      ])
      .catch((error: Error) =>
        this.logger.warn(`Status changes not announced to the boards: ${error.message}`),
      );
  }

  onApplicationBootstrap(): Promise<void> {
    return this.listen();
  }

  /** Ends open streams before the HTTP server closes, or it would wait on them forever. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.updates.complete();
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.url,
      application_name: `coffee-shop ${this.db.schema} board feed`,
      keepAlive: true,
    });
    this.listener = client;
    client.on('notification', ({ channel, payload }) => {
      if (channel !== this.channel || !payload) return;
      let update: OrderStatusUpdate;
      try {
        update = JSON.parse(payload) as OrderStatusUpdate;
      } catch {
        // Anyone with access may NOTIFY on the channel: a stray payload must not end the app.
        this.logger.warn(`Ignored a status change that is not JSON: ${payload.slice(0, 100)}`);
        return;
      }
      this.updates.next(update);
    });
    client.on('error', (error) => this.dropped(client, error));
    client.on('end', () => this.dropped(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      this.dropped(client, error as Error);
      await client.end().catch(() => undefined);
      return;
    }
    if (this.lost) this.logger.log('Following the status changes of every instance again');
    this.lost = false;
    this.delayMs = RETRY_MS;
  }

  private dropped(client: Client, error?: Error): void {
    if (this.stopped || client !== this.listener) return;
    this.listener = undefined;
    if (!this.lost) {
      this.logger.warn(
        `Lost the status changes of other instances (${error?.message ?? 'connection ended'}); ` +
          'connecting again',
      );
    }
    this.lost = true;
    this.retry = setTimeout(() => void this.listen(), this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, MAX_RETRY_MS);
  }
}

const RETRY_MS = 250;
const MAX_RETRY_MS = 5000;
