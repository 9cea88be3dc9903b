import { formatTraceparent, type IntegrationEvent, parseTraceparent } from '@app/contracts';
import {
  context,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
} from '@opentelemetry/api';

/**
 * The shop's own spans, where its code does the work the instrumentations cannot see (the
 * outbox, the espresso machines, the pager). Through @opentelemetry/api only: without the SDK
 * (tracing off, unit tests) every call here is the API's no-op and costs next to nothing.
 */
const tracer = () => trace.getTracer('coffee-shop');

/** Messaging semantic conventions (https://opentelemetry.io/docs/specs/semconv/messaging/). */
export const Messaging = {
  System: 'messaging.system',
  DestinationName: 'messaging.destination.name',
  OperationType: 'messaging.operation.type',
  OperationName: 'messaging.operation.name',
  MessageId: 'messaging.message.id',
  ConversationId: 'messaging.message.conversation_id',
  RoutingKey: 'messaging.rabbitmq.destination.routing_key',
} as const;

export interface SpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** The parent, when it is not the active span (a message read back from the outbox). */
  readonly parent?: Context;
  readonly links?: Link[];
}

/**
 * Runs `work` inside a new span made active for it, ended when `work` settles; a failure is
 * recorded on the span (status error, the exception as an event) and rethrown.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions,
  work: (span: Span) => Promise<T> | T,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return tracer().startActiveSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      attributes: options.attributes,
      links: options.links,
    },
    parent,
    async (span) => {
      try {
        return await work(span);
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** Marks `span` as failed by `error`. */
export function failed(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  if (error instanceof Error) span.recordException(error);
}

/** The context named by a `traceparent` (a message's hop), or none when it cannot be read. */
export function contextOf(traceparent: unknown): Context | undefined {
  const parsed = parseTraceparent(traceparent);
  if (!parsed) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: parsed.traceId,
    spanId: parsed.spanId,
    traceFlags: parseInt(parsed.flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** The `traceparent` of the active span, when the SDK records one. */
export function activeTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? traceparentOf(span) : undefined;
}

/**
 * The `traceparent` an event carries when it is created under the active span: with the SDK on,
 * a `create <destination>` producer span (semantic conventions' "create" operation) is recorded
 * and its context returned, so the publish, possibly much later from the outbox, can link back
 * to the request that stored the event. Undefined when no span is recording (tracing off).
 */
export function createMessageSpan(message: IntegrationEvent): string | undefined {
  if (!trace.getActiveSpan()?.isRecording()) return undefined;
  const span = tracer().startSpan(`create ${message.type}`, {
    kind: SpanKind.PRODUCER,
    attributes: messageAttributes('create', message),
  });
  span.end();
  return traceparentOf(span);
}

function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return formatTraceparent({ traceId, spanId, flags: traceFlags.toString(16).padStart(2, '0') });
}

/**
 * The publish span of `event`: a child of the span that created the event (its `traceparent`),
 * whenever it is published, and linked to it: from the outbox, that is the request that stored
 * it, possibly long ago or before a restart. Its duration is the broker's confirm.
 */
export function sendSpanOptions(event: IntegrationEvent): SpanOptions {
  const created = contextOf(event.traceparent);
  const createdSpan = created && trace.getSpanContext(created);
  return {
    kind: SpanKind.PRODUCER,
    ...(created ? { parent: created } : {}),
    ...(createdSpan
      ? { links: [{ context: createdSpan, attributes: { 'shop.link': 'created' } }] }
      : {}),
    attributes: {
      ...messageAttributes('send', event),
      [Messaging.OperationName]: 'publish',
      'shop.event.occurred_at': event.occurredAt,
    },
  };
}

/**
 * The span of handling one delivery from `queue`: a consumer span continuing the publisher's
 * send span (the message's `traceparent` header). Written here rather than taken from
 * @opentelemetry/instrumentation-amqplib: behind amqp-connection-manager's publish queue, that
 * instrumentation's publish span (and the header it writes) took the context of whichever
 * publish started the queue's worker, putting one order's messages into another's trace.
 */
export function processSpanOptions(
  message: {
    fields: { routingKey: string };
    properties: { messageId?: string; correlationId?: string; headers?: unknown };
  },
  queue: string,
): SpanOptions {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const sent = contextOf(headers.traceparent);
  return {
    kind: SpanKind.CONSUMER,
    parent: sent ?? ROOT_CONTEXT,
    attributes: {
      ...messageAttributes('process', {
        type: message.fields.routingKey,
        messageId: message.properties.messageId ?? '',
        correlationId: message.properties.correlationId ?? '',
      }),
      'messaging.destination.subscription.name': queue,
    },
  };
}

/** The messaging semantic conventions' attributes of one operation on `message`. */
export function messageAttributes(
  operation: 'create' | 'send' | 'process' | 'settle',
  message: { type: string; messageId: string; correlationId: string },
): Attributes {
  return {
    [Messaging.System]: 'rabbitmq',
    [Messaging.DestinationName]: message.type,
    [Messaging.OperationType]: operation,
    [Messaging.OperationName]: operation,
    [Messaging.MessageId]: message.messageId,
    [Messaging.ConversationId]: message.correlationId,
    [Messaging.RoutingKey]: message.type,
  };
}

/**
 * `event` carrying the context of a `create` span recorded for it under the active span (see
 * {@link createMessageSpan}); `event` itself when tracing is off.
 */
export function withCreateSpan<E extends IntegrationEvent>(event: E): E {
  const traceparent = createMessageSpan(event);
  return traceparent ? { ...event, traceparent } : event;
}

export { SpanKind };
