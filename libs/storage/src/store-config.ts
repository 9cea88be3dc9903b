import { CommonConfig, IntRange } from '@app/platform';
import { IsOptional, Matches } from 'class-validator';

export type StoreKind = 'sqlite' | 'postgres';

/**
 * The variables of an app with a store (order, barista, pager), beside the common ones. Unset
 * DATABASE_URL keeps each app in its own SQLite file, exactly as before; a postgres:// URL puts
 * every instance of a context on one PostgreSQL database, each context in a schema of its own.
 */
export abstract class StoreConfig extends CommonConfig {
  /**
   * `postgres://user:password@host:port/database`: the shared store. Unset: SQLite (each app's
   * own file, named by its *_DB_PATH variable).
   */
  @IsOptional()
  @Matches(/^postgres(?:ql)?:\/\/\S+$/, { message: 'accepts a postgres:// or postgresql:// URL' })
  public readonly DATABASE_URL?: string;

  /**
   * PostgreSQL: the most connections one instance opens. Every instance of every context counts
   * against the server's max_connections (100 by default), so keep instances × this below it.
   */
  @IntRange(1, 1000)
  public readonly DATABASE_POOL_MAX: number = 10;

  /**
   * PostgreSQL: put before each context's schema name (`<prefix>order`, `<prefix>barista`,
   * `<prefix>pager`), so that several shops, or test runs, share one database apart.
   */
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,39}$/, {
    message:
      'accepts up to 40 lower-case letters, digits or underscores, not starting with a digit',
  })
  public readonly DATABASE_SCHEMA_PREFIX?: string;
}

/** Which store the config chooses. */
export function storeKind(config: StoreConfig): StoreKind {
  return config.DATABASE_URL ? 'postgres' : 'sqlite';
}
