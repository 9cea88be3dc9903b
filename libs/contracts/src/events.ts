// class-transformer's @Type reads decorator metadata: make sure the polyfill is loaded first.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  Equals,
  IsDefined,
  IsInt,
  IsISO8601,
  IsString,
  IsUUID,
  Length,
  Min,
  ValidateNested,
} from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Envelope } from './envelope';
import { LineItem } from './line-item';
import { childTraceparent } from './trace-context';
import { CustomerName, LineItems } from './order-fields';

/** Routing keys, one per integration event, named as the event is (`order.placed` ↔ OrderPlaced). */
export const EventTypes = {
  OrderPlaced: 'order.placed',
  BrewStarted: 'brew.started',
  CoffeeBrewed: 'coffee.brewed',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

export class OrderPlacedData {
  @IsUUID()
  public readonly orderId!: string;

  @CustomerName()
  public readonly customer!: string;

  @LineItems()
  public readonly items!: LineItem[];

  @IsISO8601({ strict: true })
  public readonly placedAt!: string;
}

export class OrderPlaced extends Envelope<typeof EventTypes.OrderPlaced, OrderPlacedData> {
  @Equals(EventTypes.OrderPlaced)
  public readonly type!: typeof EventTypes.OrderPlaced;

  @IsDefined()
  @ValidateNested()
  @Type(() => OrderPlacedData)
  public readonly data!: OrderPlacedData;
}

export class BrewStartedData {
  @IsUUID()
  public readonly orderId!: string;

  @IsString()
  @Length(1, 128)
  public readonly baristaId!: string;

  @IsInt()
  @Min(1)
  public readonly machine!: number;

  @IsISO8601({ strict: true })
  public readonly startedAt!: string;
}

export class BrewStarted extends Envelope<typeof EventTypes.BrewStarted, BrewStartedData> {
  @Equals(EventTypes.BrewStarted)
  public readonly type!: typeof EventTypes.BrewStarted;

  @IsDefined()
  @ValidateNested()
  @Type(() => BrewStartedData)
  public readonly data!: BrewStartedData;
}

export class CoffeeBrewedData extends BrewStartedData {
  @CustomerName()
  public readonly customer!: string;

  @IsISO8601({ strict: true })
  public readonly brewedAt!: string;
}

export class CoffeeBrewed extends Envelope<typeof EventTypes.CoffeeBrewed, CoffeeBrewedData> {
  @Equals(EventTypes.CoffeeBrewed)
  public readonly type!: typeof EventTypes.CoffeeBrewed;

  @IsDefined()
  @ValidateNested()
  @Type(() => CoffeeBrewedData)
  public readonly data!: CoffeeBrewedData;
}

export type IntegrationEvent = OrderPlaced | BrewStarted | CoffeeBrewed;

/**
 * Builds a new envelope: a fresh message id, now, and the ids that tie it to its order. Its
 * traceparent continues `trace.traceparent` (the trace context of the request or message that
 * caused it) with a span id of its own, or starts a trace when there is none.
 */
export function envelope<E extends IntegrationEvent>(
  type: E['type'],
  data: E['data'],
  trace: { correlationId: string; causationId?: string; traceparent?: string },
  occurredAt: Date = new Date(),
): E {
  return {
    messageId: randomUUID(),
    type,
    occurredAt: occurredAt.toISOString(),
    correlationId: trace.correlationId,
    ...(trace.causationId ? { causationId: trace.causationId } : {}),
    traceparent: childTraceparent(trace.traceparent),
    data,
  } as E;
}
