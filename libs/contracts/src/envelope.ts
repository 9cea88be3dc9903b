import { IsISO8601, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';

/**
 * What every message carries, over HTTP and over AMQP alike: its own id (so consumers can tell a
 * redelivery from new work), its type (which is also its routing key), when it happened, and the
 * correlation id that follows one order through every hop. `causationId` names the message
 * that caused this one. `traceparent` is the W3C trace context of this message's own hop (same
 * trace id as its cause, a span id of its own): stored with the message, so a redelivery or a
 * replay from the outbox or the dead letters stays in the same trace.
 */
export abstract class Envelope<TType extends string, TData> {
  @IsUUID()
  public readonly messageId!: string;

  public abstract readonly type: TType;

  @IsISO8601({ strict: true })
  public readonly occurredAt!: string;

  @IsString()
  @Length(1, 128)
  public readonly correlationId!: string;

  @IsOptional()
  @IsUUID()
  public readonly causationId?: string;

  // Not checked against the format: a traceparent a consumer cannot read starts a new trace
  // (as the spec asks), it does not make the message invalid.
  @IsOptional()
  @IsString()
  @MaxLength(512)
  public readonly traceparent?: string;

  public abstract readonly data: TData;
}
