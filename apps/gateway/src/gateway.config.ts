import { CommonConfig, IntRange, IsPort } from '@app/platform';
import { Matches } from 'class-validator';

const URL_LIST = /^https?:\/\/[^\s,/]+\/?(,https?:\/\/[^\s,/]+\/?)*$/;
const URL_LIST_MESSAGE = 'accepts one or more http(s):// origins separated by commas';

/**
 * The gateway's environment: its port, where each service's instances are, and how long it
 * waits for each. A host name in an upstream list stands for every address it resolves to
 * (Docker's DNS answers a scaled service's name with one address per replica).
 */
export class GatewayConfig extends CommonConfig {
  @IsPort()
  public readonly GATEWAY_PORT: number = 8080;

  /** `/orders`, `/board`, `/downstreams`. */
  @Matches(URL_LIST, { message: URL_LIST_MESSAGE })
  public readonly ORDER_UPSTREAMS: string = 'http://127.0.0.1:3000';

  /** `/brews`. */
  @Matches(URL_LIST, { message: URL_LIST_MESSAGE })
  public readonly BARISTA_UPSTREAMS: string = 'http://127.0.0.1:3001';

  /** `/buzzes`. */
  @Matches(URL_LIST, { message: URL_LIST_MESSAGE })
  public readonly PAGER_UPSTREAMS: string = 'http://127.0.0.1:3002';

  /**
   * How long the gateway waits for an upstream's response headers before answering 504. Order's
   * is longer than order's own wait for barista (BARISTA_TIMEOUT_MS, 10 s) plus pager's, so that
   * under http order answers first; barista's covers a brew. A body, once started, streams
   * without a deadline: that is what lets Server-Sent Events through.
   */
  @IntRange(10, 600000, 'milliseconds')
  public readonly ORDER_UPSTREAM_TIMEOUT_MS: number = 15000;

  @IntRange(10, 600000, 'milliseconds')
  public readonly BARISTA_UPSTREAM_TIMEOUT_MS: number = 12000;

  @IntRange(10, 600000, 'milliseconds')
  public readonly PAGER_UPSTREAM_TIMEOUT_MS: number = 5000;

  /** How long an instance that refused a connection or timed out is left out of the rotation. */
  @IntRange(10, 600000, 'milliseconds')
  public readonly GATEWAY_COOLDOWN_MS: number = 5000;

  /** How often the upstreams' host names are resolved again (replicas come and go). */
  @IntRange(100, 600000, 'milliseconds')
  public readonly GATEWAY_DNS_REFRESH_MS: number = 5000;
}
