import {
  BadRequestException,
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { RmqContext } from '@nestjs/microservices';
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { catchError, EMPTY, from, type Observable, tap } from 'rxjs';
import { deadLetter } from './dead-letter';
import { MESSAGING_PLACE, type MessagingPlace } from './messaging-place';
import { PublishFailedError } from './rmq-event.publisher';

/**
 * Manual acknowledgement for message handlers: the message is acked only after the handler's
 * work (and whatever it published) is done. A message the handler refuses (invalid payload) or
 * fails on is dead-lettered with the reason, so it neither blocks the queue unacked nor loops.
 * A failure of the channel itself is not the message's fault: such a message is left to the
 * broker's redelivery (or requeued once when a publish was not confirmed), never dead-lettered.
 */
@Injectable()
export class AcknowledgeInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AcknowledgeInterceptor.name);

  constructor(@Inject(MESSAGING_PLACE) private readonly place: MessagingPlace) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rmq = context.switchToRpc().getContext<RmqContext>();
    const channel = rmq.getChannelRef() as ConfirmChannel;
    const message = rmq.getMessage() as ConsumeMessage;
    const id = `${rmq.getPattern()} ${message.properties.messageId ?? '(no id)'}`;
    return next.handle().pipe(
      tap(() => settle(() => channel.ack(message))),
      catchError((error: unknown) => {
        if (isChannelGone(error)) {
          // Shutting down or disconnected: the broker redelivers unacked messages by itself.
          this.logger.warn(`Left ${id} for redelivery: ${describeFailure(error)}`);
          return EMPTY;
        }
        if (error instanceof PublishFailedError && !message.fields.redelivered) {
          // The broker hiccuped while we published; one more go before it counts as a failure.
          this.logger.warn(`Requeueing ${id}: ${describeFailure(error)}`);
          settle(() => channel.nack(message, false, true));
          return EMPTY;
        }
        const reason = describeFailure(error);
        this.logger.warn(`Dead-lettering ${id}: ${reason}`);
        return from(deadLetter(channel, message, reason, this.place)).pipe(
          catchError((failure: unknown) => {
            this.logger.warn(`Left ${id} for redelivery: ${describeFailure(failure)}`);
            return EMPTY;
          }),
        );
      }),
    );
  }
}

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

function describeFailure(error: unknown): string {
  if (error instanceof BadRequestException) {
    const body = error.getResponse() as { message?: unknown };
    const lines = Array.isArray(body.message) ? body.message.join('; ') : String(body.message);
    return `invalid message: ${lines}`;
  }
  if (error instanceof Error) return `handler failed: ${error.message}`;
  return `handler failed: ${String(error)}`;
}
