import { AtMost, DecimalRange, IntRange, IsPort, OnOff, type Switch } from '@app/platform';
import { IsDatabasePath, StoreConfig } from '@app/storage';
import { IsOptional, Matches } from 'class-validator';

const URL_LIST = /^https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*$/;

/** The order app's environment: its port, and how to reach barista and pager under http. */
export class OrderConfig extends StoreConfig {
  @IsPort()
  public readonly ORDER_PORT: number = 3000;

  /** One URL, or several separated by commas: the calls are balanced across them. */
  @Matches(URL_LIST, { message: 'accepts one or more http(s):// URLs separated by commas' })
  public readonly BARISTA_URL: string = 'http://127.0.0.1:3001';

  /** The same for pager. */
  @Matches(URL_LIST, { message: 'accepts one or more http(s):// URLs separated by commas' })
  public readonly PAGER_URL: string = 'http://127.0.0.1:3002';

  /**
   * Pager as the live board's browser reaches it (its `/buzzes/stream`): an http(s):// URL, or a
   * path such as `/` for the board's own origin (behind a gateway). Unset: PAGER_URL.
   */
  @IsOptional()
  @Matches(/^(?:https?:\/\/[^\s,/]+)?(?:\/[^\s,]*)?$/, {
    message: 'accepts an http(s):// URL or a path starting with /',
  })
  public readonly BOARD_PAGER_URL?: string;

  /** How long order waits for barista (brew included) before answering 504. */
  @IntRange(10, 600000, 'milliseconds')
  public readonly BARISTA_TIMEOUT_MS: number = 10000;

  @IntRange(10, 600000, 'milliseconds')
  public readonly PAGER_TIMEOUT_MS: number = 2000;

  @IntRange(1, 10000)
  public readonly ORDER_PREFETCH: number = 100;

  // --- defences of the calls to barista and pager (http) ---------------------------------------

  /** `off` turns every defence below off at once: one attempt per call, no circuit breaker. */
  @OnOff()
  public readonly HTTP_DEFENCES: Switch = 'on';

  /**
   * Further attempts after a refused, reset or 5xx call, within the call's deadline
   * (BARISTA_TIMEOUT_MS, PAGER_TIMEOUT_MS); 0: none.
   */
  @IntRange(0, 10)
  public readonly HTTP_RETRIES: number = 2;

  /** First retry delay; later ones grow exponentially, each with decorrelated jitter. */
  @IntRange(1, 60000, 'milliseconds')
  public readonly HTTP_RETRY_BASE_MS: number = 100;

  /** A circuit breaker around each downstream service (barista, pager). */
  @OnOff()
  public readonly HTTP_BREAKER: Switch = 'on';

  /**
   * The circuit opens when more than this share of the last HTTP_BREAKER_WINDOW calls failed
   * (after their retries), once the window holds at least HTTP_BREAKER_MIN_CALLS calls: a fresh
   * breaker opens after HTTP_BREAKER_MIN_CALLS failures in a row.
   */
  @DecimalRange(0.01, 0.99)
  public readonly HTTP_BREAKER_RATIO: number = 0.5;

  @IntRange(1, 10000)
  public readonly HTTP_BREAKER_WINDOW: number = 20;

  @IntRange(1, 10000)
  @AtMost('HTTP_BREAKER_WINDOW')
  public readonly HTTP_BREAKER_MIN_CALLS: number = 5;

  /** How long an open circuit fails calls at once before one call probes the service again. */
  @IntRange(10, 600000, 'milliseconds')
  public readonly HTTP_BREAKER_COOLDOWN_MS: number = 1000;
  /** The counter's SQLite file: its orders, and (rmq) the outbox of events not yet published. */
  @IsDatabasePath()
  public readonly ORDER_DB_PATH: string = 'data/order.sqlite';

  /**
   * PostgreSQL and rmq: how often each instance's relay looks for events it was not told about
   * (stored by another instance whose relay died, or left by a broker outage).
   */
  @IntRange(50, 600000, 'milliseconds')
  public readonly OUTBOX_SWEEP_MS: number = 1000;
}
