import { CommonConfig, IntRange, IsPort } from '@app/platform';

/** The pager app's environment. */
export class PagerConfig extends CommonConfig {
  @IsPort()
  public readonly PAGER_PORT: number = 3002;

  @IntRange(1, 10000)
  public readonly PAGER_PREFETCH: number = 100;
}
