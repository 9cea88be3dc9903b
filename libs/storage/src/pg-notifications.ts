import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { type Observable, Subject } from 'rxjs';
import type { PgDatabase } from './pg-database';

const RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

export interface PgNotificationsOptions {
  /** The channel within the schema (`<schema>.<topic>`): shops sharing a database stay apart. */
  readonly topic: string;
  /** What flows, for the logs and the listening connection's application_name (`board feed`). */
  readonly purpose: string;
}

/**
 * A live feed across every instance on one PostgreSQL database: items are published with NOTIFY
 * (after the caller's commit), and each instance LISTENs on one connection of its own, so a
 * follower of any instance sees what every instance publishes (its own included, the same way).
 * When that connection drops (a PostgreSQL restart) it connects again, with a growing pause;
 * what was published meanwhile is not replayed: the followers read it from the store.
 */
export class PgNotifications<T> {
  private readonly logger: Logger;
  private readonly items = new Subject<T>();
  readonly live: Observable<T> = this.items.asObservable();
  readonly channel: string;
  private listener: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private delayMs = RETRY_MS;
  private lost = false;
  private stopped = false;

  constructor(
    private readonly db: PgDatabase,
    private readonly url: string,
    private readonly options: PgNotificationsOptions,
  ) {
    this.channel = `${db.schema}.${options.topic}`;
    this.logger = new Logger(`PgNotifications ${options.topic}`);
  }

  /** Never throws and never waits: what is published is a view of what is already stored. */
  publish(items: readonly T[]): void {
    const payloads = items.map((item) => JSON.stringify(item));
    this.db
      .query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [
        this.channel,
        payloads,
      ])
      .catch((error: Error) =>
        this.logger.warn(`Not announced to the other instances: ${error.message}`),
      );
  }

  /** Starts listening (at application bootstrap). */
  start(): Promise<void> {
    return this.listen();
  }

  /** Ends the followers' streams and the listening connection (before the HTTP server closes). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.items.complete();
    await this.listener?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.url,
      application_name: `coffee-shop ${this.db.schema} ${this.options.purpose}`,
      keepAlive: true,
    });
    this.listener = client;
    client.on('notification', ({ channel, payload }) => {
      if (channel !== this.channel || !payload) return;
      let item: T;
      try {
        item = JSON.parse(payload) as T;
      } catch {
        // Anyone with access may NOTIFY on the channel: a stray payload must not end the app.
        this.logger.warn(`Ignored a notification that is not JSON: ${payload.slice(0, 100)}`);
        return;
      }
      this.items.next(item);
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
    if (this.lost) this.logger.log(`Following the ${this.options.purpose} of every instance again`);
    this.lost = false;
    this.delayMs = RETRY_MS;
  }

  private dropped(client: Client, error?: Error): void {
    if (this.stopped || client !== this.listener) return;
    this.listener = undefined;
    if (!this.lost) {
      this.logger.warn(
        `Lost the ${this.options.purpose} of other instances ` +
          `(${error?.message ?? 'connection ended'}); connecting again`,
      );
    }
    this.lost = true;
    this.retry = setTimeout(() => void this.listen(), this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, MAX_RETRY_MS);
  }
}
