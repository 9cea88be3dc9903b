import { CommonConfig, IntRange, IsPort } from '@app/platform';
import { IsDatabasePath } from '@app/storage';

/** The pager app's environment. */
export class PagerConfig extends CommonConfig {
  @IsPort()
  public readonly PAGER_PORT: number = 3002;

  @IntRange(1, 10000)
  public readonly PAGER_PREFETCH: number = 100;

  /** The pager's SQLite file: its buzzes and the CoffeeBrewed messages it has handled. */
  @IsDatabasePath()
  public readonly PAGER_DB_PATH: string = 'data/pager.sqlite';
}
