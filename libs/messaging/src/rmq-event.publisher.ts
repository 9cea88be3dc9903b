import { HttpHeaders, type IntegrationEvent } from '@app/contracts';
import { Metrics } from '@app/platform';
import { activeTraceparent, inSpan, sendSpanOptions } from '@app/telemetry';
import { Inject, Injectable, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { RmqRecordBuilder, type RmqRecordOptions } from '@nestjs/microservices';
import { ShopRmqClient } from './shop-rmq.client';

export const EVENTS_CLIENT = Symbol('EVENTS_CLIENT');
export const PUBLISH_TIMEOUT_MS = Symbol('PUBLISH_TIMEOUT_MS');

/** Raised when the broker did not confirm a publish in time (or refused it). */
export class PublishFailedError extends Error {
  public override readonly name = 'PublishFailedError';
}

/**
 * Publishes integration events to the shop's topic exchange, persistent, with the envelope's ids
 * copied to the AMQP properties and headers (`traceparent`, `x-correlation-id`, the same names
 * as over HTTP). `publish` resolves only when the broker has confirmed the
 * message (Nest's RMQ client publishes on a confirm channel), and rejects after the timeout.
 */
@Injectable()
export class RmqEventPublisher implements OnApplicationShutdown {
  constructor(
    @Inject(EVENTS_CLIENT) private readonly client: ShopRmqClient,
    @Inject(PUBLISH_TIMEOUT_MS) private readonly timeoutMs: number,
    @Optional() private readonly metrics?: Metrics,
  ) {}

  async publish(event: IntegrationEvent): Promise<void> {
    await inSpan(`send ${event.type}`, sendSpanOptions(event), async () => {
      // With tracing on, the next hop continues this send span (else the event's own hop).
      const traced = { ...event, traceparent: activeTraceparent() ?? event.traceparent };
      // Nest types the record options without correlationId, but passes every option to amqplib.
      const options: RmqRecordOptions & { correlationId: string } = {
        messageId: event.messageId,
        correlationId: event.correlationId,
        type: event.type,
        contentType: 'application/json',
        timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
        persistent: true,
        headers: messageHeaders(traced),
      };
      const record = new RmqRecordBuilder(event).setOptions(options).build();
      try {
        await this.client.publishEvent(event.type, record, this.timeoutMs);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        throw new PublishFailedError(`the broker did not confirm ${event.type}: ${why}`);
      }
    });
    this.metrics?.messagesPublished.labels(event.type).inc();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

/** The AMQP headers of `event`: its trace context and ids, readable without parsing the body. */
export function messageHeaders(event: IntegrationEvent): Record<string, string> {
  return {
    [HttpHeaders.CorrelationId]: event.correlationId,
    ...(event.traceparent ? { [HttpHeaders.Traceparent]: event.traceparent } : {}),
    ...(event.causationId ? { 'x-causation-id': event.causationId } : {}),
  };
}
