import { CommonConfig, IntRange, IsPort } from '@app/platform';
import { IsDatabasePath } from '@app/storage';
import { Matches } from 'class-validator';

const URL_LIST = /^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/;

/** The order app's environment: its port, and how to reach barista and pager under http. */
export class OrderConfig extends CommonConfig {
  @IsPort()
  public readonly ORDER_PORT: number = 3000;

  /** One URL, or several separated by commas: the calls are balanced across them. */
  @Matches(URL_LIST, { message: 'accepts one or more http(s):// URLs separated by commas' })
  public readonly BARISTA_URL: string = 'http://127.0.0.1:3001';

  @Matches(URL_LIST, { message: 'accepts one or more http(s):// URLs separated by commas' })
  public readonly PAGER_URL: string = 'http://127.0.0.1:3002';

  /** How long order waits for barista (brew included) before answering 504. */
  @IntRange(10, 600000, 'milliseconds')
  public readonly BARISTA_TIMEOUT_MS: number = 10000;

  @IntRange(10, 600000, 'milliseconds')
  public readonly PAGER_TIMEOUT_MS: number = 2000;

  @IntRange(1, 10000)
  public readonly ORDER_PREFETCH: number = 100;

  /** The counter's SQLite file: its orders, and (rmq) the outbox of events not yet published. */
  @IsDatabasePath()
  public readonly ORDER_DB_PATH: string = 'data/order.sqlite';
}
