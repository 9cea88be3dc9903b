// class-transformer's @Type reads decorator metadata: make sure the polyfill is loaded first.
import 'reflect-metadata';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { OnOff, type Switch } from './config-rules';

/** A whole number from `min` to `max`, with one message that says what is accepted. */
export function IntRange(min: number, max: number, unit = ''): PropertyDecorator {
  const message = `accepts a whole number${unit ? ` of ${unit}` : ''} from ${min} to ${max}`;
  return (target, key) => {
    // Explicit, rather than relying on emitted design:type metadata that some builds lack.
    Type(() => Number)(target, key);
    IsInt({ message })(target, key);
    Min(min, { message })(target, key);
    Max(max, { message })(target, key);
  };
}

/** A TCP port to listen on. */
export const IsPort = (): PropertyDecorator => IntRange(1, 65535);

export const TRANSPORTS = ['http', 'rmq'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

export const AMQP_QUEUE_TYPES = ['quorum', 'classic'] as const;
export type AmqpQueueType = (typeof AMQP_QUEUE_TYPES)[number];

/** A local RabbitMQ with its out-of-the-box user: the apps', the benchmark's and the tools' default. */
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

const lowerCase = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? value.toLowerCase() : value;

/**
 * Variables every app reads. Each app's own config class extends this one with its own port and
 * settings, so no app knows another app's variables.
 */
export abstract class CommonConfig {
  @Transform(lowerCase)
  @IsIn(TRANSPORTS, { message: 'accepts http or rmq' })
  public readonly TRANSPORT: TransportKind = 'http';

  @IsString()
  @Matches(/^[\w.:-]+$/, { message: 'accepts a host name or IP address to listen on' })
  public readonly HOST: string = '127.0.0.1';

  @Transform(lowerCase)
  @IsIn(LOG_LEVELS, { message: `accepts ${LOG_LEVELS.join(', ')}` })
  public readonly LOG_LEVEL: LogLevelName = 'log';

  @IntRange(1024, 1048576, 'bytes')
  public readonly BODY_LIMIT_BYTES: number = 16384;

  /**
   * How deep objects and arrays may nest in a JSON request body or message. Checked before the
   * body is parsed or validated, since validation walks it recursively (the shop's own bodies
   * nest four levels). Bounded so that a raised limit cannot overflow the stack either.
   */
  @IntRange(4, 256, 'levels')
  public readonly BODY_MAX_DEPTH: number = 32;

  /** One node, or a cluster's nodes separated by commas: the apps use any that is up. */
  @Matches(/^amqps?:\/\/[^\s,]+(\s*,\s*amqps?:\/\/[^\s,]+)*$/, {
    message: 'accepts an amqp:// or amqps:// URL, or several separated by commas',
  })
  public readonly AMQP_URL: string = DEFAULT_AMQP_URL;

  /**
   * The type of the context, retry and dead-letter queues: quorum (replicated over a cluster's
   * nodes, with a delivery limit) or classic (on one node). An existing namespace keeps the type
   * it was declared with: changing it needs a fresh AMQP_NAMESPACE or its queues deleted.
   */
  @Transform(lowerCase)
  @IsIn(AMQP_QUEUE_TYPES, { message: 'accepts quorum or classic' })
  public readonly AMQP_QUEUE_TYPE: AmqpQueueType = 'quorum';

  /**
   * Quorum queues: how many times one message may be delivered without being settled (its
   * consumer crashed or lost its connection) before the broker dead-letters it.
   */
  @IntRange(1, 100)
  public readonly AMQP_DELIVERY_LIMIT: number = 5;

  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/, {
    message: 'accepts 1-64 lower-case letters, digits, dots, dashes or underscores',
  })
  public readonly AMQP_NAMESPACE: string = 'coffee-shop';

  @IntRange(100, 60000, 'milliseconds')
  public readonly AMQP_PUBLISH_TIMEOUT_MS: number = 5000;

  /**
   * How many times a message whose handler failed is retried (rmq), after waiting in a retry
   * queue, before it is dead-lettered; 0 dead-letters at the first failure.
   */
  @IntRange(0, 10)
  public readonly RETRY_ATTEMPTS: number = 3;

  /** The wait before the first retry; each further retry waits twice as long (1 s, 2 s, 4 s). */
  @IntRange(1, 60000, 'milliseconds')
  public readonly RETRY_BASE_DELAY_MS: number = 1000;

  /**
   * On SIGTERM, how long the app waits for the messages it is handling to be done and acked
   * before it closes anyway (those left are redelivered by the broker).
   */
  @IntRange(0, 600000, 'milliseconds')
  public readonly SHUTDOWN_TIMEOUT_MS: number = 10000;

  /**
   * Apps with a store (order, barista, pager): how long the ids of handled messages are kept to
   * recognise a redelivery; older ones are forgotten hourly. 0 keeps them for ever. It must
   * outlast any redelivery, a dead letter replayed by hand included.
   */
  @IntRange(0, 87600, 'hours')
  public readonly PROCESSED_RETENTION_HOURS: number = 168;

  /** `on`: Swagger UI at `/docs` and the OpenAPI document at `/docs/openapi.json`. */
  @OnOff()
  public readonly API_DOCS: Switch = 'on';
}
