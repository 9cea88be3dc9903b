import { IntRange, IsPort } from '@app/platform';
import { IsDatabasePath, StoreConfig } from '@app/storage';

/** The pager app's environment. */
export class PagerConfig extends StoreConfig {
  @IsPort()
  public readonly PAGER_PORT: number = 3002;

  @IntRange(1, 10000)
  public readonly PAGER_PREFETCH: number = 100;

  /**
   * The pager's SQLite file: its buzzes and the CoffeeBrewed messages it has handled (unused
   * with DATABASE_URL).
   */
  @IsDatabasePath()
  public readonly PAGER_DB_PATH: string = 'data/pager.sqlite';
}
