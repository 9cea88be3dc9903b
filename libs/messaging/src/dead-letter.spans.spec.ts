import { inSpan, SpanKind } from '@app/telemetry';
import { Logger } from '@nestjs/common';
import { RmqContext, ServerRMQ } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { deadLetter, retryLater } from './dead-letter';
import { rmqServerOptions } from './rmq-options';
import { ShopRmqServer } from './shop-rmq.server';
import { delivery, fakeConfirmChannel } from './testing/amqp-fakes';
import { recordSpans, type RecordedSpan } from './testing/recorded-spans';

// The spans of the retry ladder and of dead-lettering, read from the real OpenTelemetry SDK
// with an in-memory exporter.

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SENT_SPAN = '00f067aa0ba902b7';
const place = { namespace: 't', queue: 't.barista' };
const retrying = { ...place, context: 'barista', retry: { retries: 2, baseDelayMs: 100 } };

/** An order.placed delivery whose publisher's send span was SENT_SPAN. */
const sent = (headers: Record<string, unknown> = {}) =>
  delivery(
    { pattern: 'order.placed', data: {} },
    { properties: { headers: { traceparent: `00-${TRACE}-${SENT_SPAN}-01`, ...headers } } },
  );

const traceparentOf = (span: RecordedSpan) =>
  `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
const parentOf = (span: RecordedSpan) => span.parentSpanContext?.spanId;

/** A server on barista's queue in namespace `t`, handling `order.placed`. */
function aServer(): ShopRmqServer {
  const server = new ShopRmqServer({
    ...rmqServerOptions({ url: 'amqp://x', namespace: 't', prefetch: 1 }, 'barista'),
    namespace: 't',
  });
  server.addHandler('order.placed', () => Promise.resolve(), true);
  return server;
}

/**
 * Nest's dispatch replaced by one that returns at once, as Nest's does (it starts the handler's
 * observable and returns); `settle` then plays the end of the handler's work: Nest's
 * processing-end hook, called once AcknowledgeInterceptor has acked, retried or dead-lettered.
 */
function settledByHand(server: ShopRmqServer) {
  const parent = jest.spyOn(ServerRMQ.prototype, 'handleMessage').mockResolvedValue(undefined);
  const hook = (server as unknown as { onProcessingEndHook: (t: unknown, c: RmqContext) => void })
    .onProcessingEndHook;
  return {
    settle: (message: ConsumeMessage) =>
      hook('rmq', new RmqContext([message, undefined, 'order.placed'])),
    restore: () => parent.mockRestore(),
  };
}

describe('spans of the retry ladder and of dead letters', () => {
  let recorded: ReturnType<typeof recordSpans>;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => (recorded = recordSpans()));
  afterEach(() => recorded.stop());

  it('parks a failed delivery under a retry span, and the copy continues from it', async () => {
    const { published, asChannel, channel } = fakeConfirmChannel({ autoConfirm: false });
    const message = sent();

    const moving = inSpan('process order.placed', { kind: SpanKind.CONSUMER }, () =>
      retryLater(asChannel, message, retrying, 1, 'boom'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    // Not ended before the broker confirmed the copy: the span covers the whole move.
    expect(recorded.named('retry t.barista.retry.1')).toEqual([]);
    published[0].confirm(null);
    await moving;

    const [process] = recorded.named('process order.placed');
    const [retry] = recorded.named('retry t.barista.retry.1');
    expect(retry.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(retry)).toBe(process.spanContext().spanId);
    expect(retry.spanContext().traceId).toBe(process.spanContext().traceId);
    expect(retry.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'retry',
      'messaging.destination.name': 't.barista.retry.1',
      'messaging.rabbitmq.destination.routing_key': 't.barista.retry.1',
      'messaging.message.id': 'message-1',
      'messaging.message.conversation_id': 'corr-1',
      'shop.event': 'order.placed',
      'shop.attempt': 1,
      'shop.retry.retries': 2,
      'shop.retry.delay_ms': 100,
    });
    expect(published[0].options.headers?.traceparent).toBe(traceparentOf(retry));
    expect(channel.ack).toHaveBeenCalledWith(message);
  });

  it("hangs the retried delivery's process span, named by its event, under the retry span", async () => {
    const server = aServer();
    const { settle, restore } = settledByHand(server);
    try {
      const { published, asChannel } = fakeConfirmChannel();
      await inSpan('process order.placed', { kind: SpanKind.CONSUMER }, () =>
        retryLater(asChannel, sent(), retrying, 1, 'boom'),
      );
      const [retry] = recorded.named('retry t.barista.retry.1');
      // What the broker delivers after the retry queue's TTL: by the default exchange, under
      // the consumer's queue name, with the copy's headers.
      const back: ConsumeMessage = delivery(
        { pattern: 'order.placed', data: {} },
        { exchange: '', routingKey: 't.barista', properties: { ...published[0].options } },
      );
      recorded.reset();

      await server.handleMessage(back as unknown as Record<string, unknown>, asChannel);
      settle(back);

      const [again] = recorded.spans();
      expect(again.name).toBe('process order.placed');
      expect(again.kind).toBe(SpanKind.CONSUMER);
      expect(parentOf(again)).toBe(retry.spanContext().spanId);
      expect(again.spanContext().traceId).toBe(retry.spanContext().traceId);
      expect(again.attributes).toMatchObject({
        'messaging.destination.name': 'order.placed',
        'messaging.operation.type': 'process',
        'messaging.destination.subscription.name': 't.barista',
        'shop.attempt': 2,
      });
    } finally {
      restore();
    }
  });

  it("ends a delivery's process span when its handler has settled it, not when it started", async () => {
    const server = aServer();
    const { settle, restore } = settledByHand(server);
    try {
      const { asChannel } = fakeConfirmChannel();
      const message = sent();
      await server.handleMessage(message as unknown as Record<string, unknown>, asChannel);
      // Nest has started the handler; its work, the ack or a retry are still to come.
      expect(recorded.named('process order.placed')).toEqual([]);
      settle(message);
      const [process] = recorded.named('process order.placed');
      expect(parentOf(process)).toBe(SENT_SPAN);
    } finally {
      restore();
    }
  });

  it('dead-letters a failed delivery under a dead_letter span that names the reason', async () => {
    const { published, asChannel } = fakeConfirmChannel();

    await inSpan('process order.placed', { kind: SpanKind.CONSUMER }, () =>
      deadLetter(asChannel, sent({ 'x-attempts': 2 }), 'handler failed: boom', place, {
        attempts: 3,
      }),
    );

    const [process] = recorded.named('process order.placed');
    const [dead] = recorded.named('dead_letter t.dlx');
    expect(dead.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(dead)).toBe(process.spanContext().spanId);
    expect(dead.attributes).toMatchObject({
      'messaging.system': 'rabbitmq',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'dead_letter',
      'messaging.destination.name': 't.dlx',
      'messaging.rabbitmq.destination.routing_key': 'order.placed',
      'messaging.message.id': 'message-1',
      'shop.attempt': 3,
      'shop.dead_letter.reason': 'handler failed: boom',
    });
    expect(published[0].options.headers?.traceparent).toBe(traceparentOf(dead));
  });

  it("dead-letters a poison message from the server's gate inside its process span", async () => {
    const server = new ShopRmqServer({
      ...rmqServerOptions({ url: 'amqp://x', namespace: 't', prefetch: 1 }, 'barista'),
      namespace: 't',
    });
    const { asChannel } = fakeConfirmChannel();
    const poison = delivery('{not json', {
      properties: { headers: { traceparent: `00-${TRACE}-${SENT_SPAN}-01` } },
    });

    await server.handleMessage(poison as unknown as Record<string, unknown>, asChannel);

    const [process] = recorded.named('process order.placed');
    const [dead] = recorded.named('dead_letter t.dlx');
    expect(parentOf(process)).toBe(SENT_SPAN);
    expect(parentOf(dead)).toBe(process.spanContext().spanId);
    expect(dead.spanContext().traceId).toBe(TRACE);
    expect(dead.attributes['shop.dead_letter.reason']).toMatch(/^malformed/);
  });

  it('without a span in progress, continues the trace the message names', async () => {
    const { asChannel } = fakeConfirmChannel();
    await deadLetter(asChannel, sent(), 'replayed by hand', place);
    const [dead] = recorded.named('dead_letter t.dlx');
    expect(dead.spanContext().traceId).toBe(TRACE);
    expect(parentOf(dead)).toBe(SENT_SPAN);
  });
});

describe('retry and dead-letter copies with tracing off', () => {
  it("keep the delivery's own traceparent", async () => {
    const { published, asChannel } = fakeConfirmChannel();
    await retryLater(asChannel, sent(), retrying, 1, 'boom');
    await deadLetter(asChannel, sent(), 'boom', place);
    expect(published.map((copy) => copy.options.headers?.traceparent)).toEqual([
      `00-${TRACE}-${SENT_SPAN}-01`,
      `00-${TRACE}-${SENT_SPAN}-01`,
    ]);
  });
});
