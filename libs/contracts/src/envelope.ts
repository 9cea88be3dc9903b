import { IsISO8601, IsOptional, IsString, IsUUID, Length } from 'class-validator';

/**
 * What every message carries, over HTTP and over AMQP alike: its own id (so consumers can tell a
 * redelivery from new work), its type (which is also its routing key), when it happened, and the
 * correlation id that follows one order through every hop. `causationId` names the message
 * that caused this one.
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

  public abstract readonly data: TData;
}
