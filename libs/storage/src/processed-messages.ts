import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import type { Migration, SqliteDatabase } from './sqlite-database';

export const processedMessagesSchema: Migration = {
  id: 'storage-001-processed-messages',
  sql: `CREATE TABLE processed_messages (
          message_id TEXT PRIMARY KEY,
          handled_at INTEGER NOT NULL
        ) WITHOUT ROWID`,
};

/**
 * Ids are forgotten oldest first ({@link ProcessedMessages.forgetBefore}). The index costs one
 * more B-tree insert per message, at its right edge since `handled_at` only grows.
 */
export const processedMessagesAgeIndex: Migration = {
  id: 'storage-002-processed-messages-handled-at',
  sql: 'CREATE INDEX processed_messages_handled_at ON processed_messages (handled_at)',
};

/**
 * The ids of the messages a consumer has handled, kept in the same database as its own data.
 * Record an id in the same transaction that stores what handling the message did: then a
 * redelivered message is recognised exactly when its effects are stored, also after a restart.
 */
export class ProcessedMessages {
  private readonly exists;
  private readonly insert;
  private readonly forget;

  constructor(db: SqliteDatabase) {
    this.exists = db.prepare<[string], 1>('SELECT 1 FROM processed_messages WHERE message_id = ?');
    this.insert = db.prepare<[string, number]>(
      'INSERT OR IGNORE INTO processed_messages (message_id, handled_at) VALUES (?, ?)',
    );
    this.forget = db.prepare<[number, number]>(
      `DELETE FROM processed_messages WHERE message_id IN (
         SELECT message_id FROM processed_messages WHERE handled_at < ? ORDER BY handled_at LIMIT ?
       )`,
    );
  }

  has(messageId: string): boolean {
    return this.exists.get(messageId) !== undefined;
  }

  /** Records `messageId` as handled; false if it was already. Call it inside the app's transaction. */
  record(messageId: string, at = Date.now()): boolean {
    return this.insert.run(messageId, at).changes === 1;
  }

  /** Forgets up to `limit` ids handled before `before` (ms since the epoch), oldest first. */
  forgetBefore(before: number, limit: number): number {
    return this.forget.run(before, limit).changes;
  }
}

/** What the pruner needs of either store's processed ids. */
export interface ForgetsProcessedMessages {
  forgetBefore(before: number, limit: number): number | Promise<number>;
}

export interface PruningOptions {
  /** Ids handled longer ago than this are forgotten; 0 keeps them for ever. */
  readonly retentionMs: number;
  /** How often to look (default hourly), first at start-up. */
  readonly intervalMs?: number;
  /** Ids deleted per statement; the event loop runs between batches (default 1,000). */
  readonly batchSize?: number;
}

/**
 * Keeps the processed ids from growing for ever: at start and then every `intervalMs`, forgets
 * the ids handled longer ago than the retention, in small batches so that no request or message
 * waits behind a long DELETE. A message redelivered after its id was forgotten would be handled
 * again, so the retention must outlast any redelivery: the broker's own (minutes), the retry
 * queues (seconds), and a dead letter replayed by hand (`npm run dlq -- replay`) — which is why
 * the default is a week.
 */
export class ProcessedMessagesPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ProcessedMessages');
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly processed: ForgetsProcessedMessages,
    private readonly options: PruningOptions,
  ) {
    this.intervalMs = options.intervalMs ?? 3_600_000;
    this.batchSize = options.batchSize ?? 1000;
  }

  onApplicationBootstrap(): void {
    if (this.options.retentionMs <= 0) return;
    const tick = () => void this.prune();
    this.timer = setInterval(tick, this.intervalMs).unref();
    setImmediate(tick);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass (joined if one runs): how many ids it forgot. Never throws. */
  prune(now = Date.now()): Promise<number> {
    this.running ??= this.pass(now - this.options.retentionMs).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(before: number): Promise<number> {
    let forgotten = 0;
    try {
      while (!this.stopped) {
        const batch = await this.processed.forgetBefore(before, this.batchSize);
        forgotten += batch;
        if (batch < this.batchSize) break;
        await yieldToEvents();
      }
    } catch (error) {
      // The database closed under us at shutdown, or is busy: the next pass tries again.
      this.logger.warn(`Could not forget old processed ids: ${(error as Error).message}`);
    }
    if (forgotten > 0)
      this.logger.log(
        `Forgot ${forgotten} processed message ids handled before ${new Date(before).toISOString()}`,
      );
    return forgotten;
  }
}
