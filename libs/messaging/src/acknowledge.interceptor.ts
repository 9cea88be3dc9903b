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
import { catchError, from, mergeMap, type Observable } from 'rxjs';
import { deadLetter } from './dead-letter';
import { MESSAGING_PLACE, type MessagingPlace } from './messaging-place';

/**
 * Manual acknowledgement for message handlers: the message is acked only after the handler's
 * work (and whatever it published) is done. A message the handler refuses (invalid payload) or
 * fails on is dead-lettered with the reason, so it neither blocks the queue unacked nor loops.
 */
@Injectable()
export class AcknowledgeInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AcknowledgeInterceptor.name);

  constructor(@Inject(MESSAGING_PLACE) private readonly place: MessagingPlace) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rmq = context.switchToRpc().getContext<RmqContext>();
    const channel = rmq.getChannelRef() as ConfirmChannel;
    const message = rmq.getMessage() as ConsumeMessage;
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        channel.ack(message);
        return result;
      }),
      catchError((error: unknown) => {
        const reason = describeFailure(error);
        this.logger.warn(
          `Dead-lettering ${rmq.getPattern()} ${message.properties.messageId ?? '(no id)'}: ${reason}`,
        );
        return from(deadLetter(channel, message, reason, this.place));
      }),
    );
  }
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
