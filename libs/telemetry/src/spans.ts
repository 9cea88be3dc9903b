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

/**
 * A span started now, active for whatever runs `within` it, and ended by the caller: for work
 * that outlives the function that started it (a delivery whose handler settles it later).
 */
export function openSpan(
  name: string,
  options: SpanOptions,
): { readonly span: Span; within<T>(work: () => T): T } {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    {
      kind: options.kind ?? SpanKind.INTERNAL,
      attributes: options.attributes,
      links: options.links,
    },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return { span, within: (work) => context.with(active, work) };
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
  /** The event's routing key, when the delivery's is not (one back from a retry queue). */
  event = message.fields.routingKey,
  /** Failed attempts before this delivery (a retry), 0 for a first one. */
  attempts = 0,
): SpanOptions {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const sent = contextOf(headers.traceparent);
  return {
    kind: SpanKind.CONSUMER,
    parent: sent ?? ROOT_CONTEXT,
    attributes: {
      ...messageAttributes('process', {
        type: event,
        messageId: message.properties.messageId ?? '',
        correlationId: message.properties.correlationId ?? '',
      }),
      'messaging.destination.subscription.name': queue,
      // The handler attempt this delivery is (1-based), on a retried one only.
      ...(attempts > 0 ? { 'shop.attempt': attempts + 1 } : {}),
    },
  };
}

/** Where the shop's own code moves a delivery its handler could not take. */
export interface Forwarding {
  /** `retry`: parked in a retry queue for a later attempt; `dead_letter`: given up on. */
  readonly operation: 'retry' | 'dead_letter';
  /** The exchange published to, or the queue for the default exchange (a retry queue). */
  readonly destination: string;
  readonly routingKey: string;
  /** The event's own routing key (a message back from a retry queue was delivered by its queue's). */
  readonly event: string;
  readonly message: {
    properties: { messageId?: string; correlationId?: string; headers?: unknown };
  };
  /** The failed attempts so far, the delay before the next, the reason: `shop.*` attributes. */
  readonly attributes?: Attributes;
}

/**
 * The span of moving a failed delivery on: a producer span (semantic conventions' `send`
 * operation, named `retry <retry queue>` or `dead_letter <dlx>` after its operation name and
 * destination) under the delivery's `process` span, lasting until the broker confirmed the copy.
 * The copy carries this span's context in its `traceparent`, so the next attempt's `process`
 * span (or a replay from the dead letters) hangs under it: the retry ladder reads as a staircase
 * in the order's trace.
 */
export function forwardSpanOptions(forwarding: Forwarding): SpanOptions {
  const { operation, destination, routingKey, message } = forwarding;
  // Under the delivery's process span when it is active; else (a tool moving messages) under
  // the span the message's traceparent names.
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const parent = trace.getSpan(context.active()) ? undefined : contextOf(headers.traceparent);
  return {
    kind: SpanKind.PRODUCER,
    ...(parent ? { parent } : {}),
    attributes: {
      ...messageAttributes('send', {
        type: forwarding.event,
        messageId: message.properties.messageId ?? '',
        correlationId: message.properties.correlationId ?? '',
      }),
      [Messaging.OperationName]: operation,
      [Messaging.DestinationName]: destination,
      [Messaging.RoutingKey]: routingKey,
      'shop.event': forwarding.event,
      ...forwarding.attributes,
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

export { type Span, SpanKind };
