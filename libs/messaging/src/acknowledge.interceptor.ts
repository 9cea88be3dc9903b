import { Metrics } from '@app/platform';
import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { RmqContext } from '@nestjs/microservices';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { performance } from 'node:perf_hooks';
import { catchError, EMPTY, finalize, from, type Observable, tap } from 'rxjs';
import { deadLetter, retryLater } from './dead-letter';
import { InFlightMessages } from './in-flight';
import { MESSAGING_PLACE, type MessagingPlace } from './messaging-place';
import { attemptsOf, retryDelayMs } from './retry-policy';
import { orderIdIn } from './shop-rmq.server';

/**
 * Manual acknowledgement for message handlers: the message is acked only after the handler's
 * work (and whatever it published) is done. A message the handler fails on is retried later
 * through the retry queues, with growing delays, up to the policy's number of retries, and then
 * dead-lettered with the error and the attempt count; a message it refuses as invalid is
 * dead-lettered at once, since no retry can make it valid. A failure of the channel itself is
 * not the message's fault: such a message is left to the broker's redelivery, never
 * dead-lettered.
 */
@Injectable()
export class AcknowledgeInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AcknowledgeInterceptor.name);

  constructor(
    @Inject(MESSAGING_PLACE) private readonly place: MessagingPlace,
    @Optional() private readonly inFlight?: InFlightMessages,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rmq = context.switchToRpc().getContext<RmqContext>();
    const channel = rmq.getChannelRef() as ConfirmChannel;
    const message = rmq.getMessage() as ConsumeMessage;
    const pattern = rmq.getPattern();
    const startedAt = performance.now();
    let outcome: Outcome = 'ack';
    return next.handle().pipe(
      tap(() => settle(() => channel.ack(message))),
      catchError((error: unknown) => {
        outcome = this.outcomeOf(error, message);
        return this.failed(outcome, error, channel, message, pattern);
      }),
      finalize(() => {
        this.inFlight?.settled(message);
        this.record(pattern, outcome, startedAt);
      }),
    );
  }

  /** What becomes of a message that `error` failed: {@link failed} carries it out. */
  private outcomeOf(error: unknown, message: ConsumeMessage): Outcome {
    if (isChannelGone(error)) return 'redeliver';
    if (error instanceof BadRequestException) return 'invalid';
    const { context, retry } = this.place;
    const retrying =
      context !== undefined && retry !== undefined && attemptsOf(message) + 1 <= retry.retries;
    return retrying ? 'retry' : 'failed';
  }

  private record(pattern: string, outcome: Outcome, startedAt: number): void {
    const metrics = this.metrics;
    if (!metrics) return;
    const seconds = (performance.now() - startedAt) / 1000;
    const { queue } = this.place;
    if (outcome === 'invalid' || outcome === 'failed') {
      metrics.messageHandlerDuration.labels(pattern, 'dead_letter').observe(seconds);
      metrics.messagesDeadLettered.labels(queue, outcome).inc();
      return;
    }
    metrics.messageHandlerDuration.labels(pattern, outcome).observe(seconds);
    if (outcome === 'retry') metrics.messagesRetried.labels(queue).inc();
  }

  private failed(
    outcome: Outcome,
    error: unknown,
    channel: ConfirmChannel,
    message: ConsumeMessage,
    pattern: string,
  ): Observable<never> {
    const orderId = orderIdIn(message);
    // A line per fate, about the order: the message's log context adds its ids.
    const warn = (msg: string) => this.logger.warn(orderId ? { msg, orderId } : { msg });
    const id = `${pattern} ${message.properties.messageId ?? '(no id)'}`;
    const reason = describeFailure(error);
    const attempts = attemptsOf(message) + 1;
    const { context, retry } = this.place;
    let moving: Promise<void>;
    if (outcome === 'redeliver') {
      // Shutting down or disconnected: the broker redelivers unacked messages by itself.
      warn(`Left ${id} for redelivery: ${reason}`);
      return EMPTY;
    } else if (outcome === 'invalid') {
      warn(`Dead-lettering ${id}: ${reason}`);
      moving = deadLetter(channel, message, reason, this.place, { attempts });
    } else if (outcome === 'retry' && context !== undefined && retry !== undefined) {
      warn(
        `Retrying ${id} in ${retryDelayMs(retry, attempts)} ms (attempt ${attempts} of ${retry.retries + 1} failed): ${reason}`,
      );
      moving = retryLater(
        channel,
        message,
        { ...this.place, context, retry },
        attempts,
        errorMessage(error),
      );
    } else {
      warn(`Dead-lettering ${id} after ${attempts} attempt(s): ${reason}`);
      moving = deadLetter(channel, message, reason, this.place, {
        attempts,
        error: errorMessage(error),
      });
    }
    return from(moving).pipe(
      catchError((failure: unknown) => {
        warn(`Left ${id} for redelivery: ${describeFailure(failure)}`);
        return EMPTY;
      }),
    ) as Observable<never>;
  }
}

/** How a handled message was settled: invalid and failed both go to the dead letters. */
type Outcome = 'ack' | 'retry' | 'invalid' | 'failed' | 'redeliver';

/** Acks and nacks on a channel that has closed throw; the broker redelivers those anyway. */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    // The channel is gone: nothing to settle on, and nothing lost.
  }
}

function isChannelGone(error: unknown): boolean {
  return error instanceof Error && error.name === 'IllegalOperationError';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeFailure(error: unknown): string {
  if (error instanceof BadRequestException) {
    const body = error.getResponse() as { message?: unknown };
    const lines = Array.isArray(body.message) ? body.message.join('; ') : String(body.message);
    return `invalid message: ${lines}`;
  }
  return `handler failed: ${errorMessage(error)}`;
}
