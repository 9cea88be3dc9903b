import { SpanKinds } from '@app/telemetry';
import { TRACED_APPS, TracedShop } from './support/traced-shop';

/**
 * How far apart two spans' clocks may read for one instant: the OpenTelemetry SDK times a span
 * on a clock anchored on Date.now() (whole milliseconds) when it is created, so two spans not
 * sharing an anchor can disagree by up to a millisecond (seen: 0.08 µs, 0.23 ms).
 */
const CLOCK_SLACK_MS = 1;

/**
 * The three apps as processes with tracing on (OTEL_EXPORTER_OTLP_ENDPOINT only, as a user would
 * turn it on), exporting to an OTLP/HTTP receiver this test starts: every order is one trace,
 * across the real HTTP and AMQP hops, shaped as the transport promises (under http the request
 * holds the brew; under rmq it is answered before the brew starts).
 */
describe.each(['http', 'rmq'] as const)('OpenTelemetry traces (TRANSPORT=%s)', (transport) => {
  let shop: TracedShop;
  const APPS = TRACED_APPS;

  beforeAll(async () => {
    shop = await TracedShop.start(transport);
  }, 180_000);

  afterAll(async () => {
    await shop?.close();
  });

  const placeOrders = (count: number) => shop.placeOrders(count);

  it('makes each order one trace across every hop, with messaging attributes', async () => {
    const orders = await placeOrders(2);
    expect(new Set(orders.map(({ trace }) => trace.traceId)).size).toBe(2);

    for (const { orderId, trace } of orders) {
      // One trace per order: every span about this order is in it.
      const about = shop.receiver.spans.filter(
        (span) => span.attributes['shop.order.id'] === orderId,
      );
      expect(about.length).toBeGreaterThanOrEqual(3);
      for (const span of about) expect(span.traceId).toBe(trace.traceId);
      expect(new Set(trace.spans.map((span) => span.service))).toEqual(new Set(APPS));
      expect(trace.spans.filter((span) => span.error)).toEqual([]);

      const request = trace.one('order', /^POST/, SpanKinds.Server);
      expect(request.parentSpanId).toBeUndefined(); // the caller sent no traceparent
      expect(request.attributes['http.request.method'] ?? request.attributes['http.method']).toBe(
        'POST',
      );
      const created = trace.one('order', 'create order.placed');
      expect(trace.descends(created, request)).toBe(true);
      const wait = trace.one('barista', 'wait for an espresso machine');
      const brew = trace.one('barista', 'brew coffee');
      const buzz = trace.one('pager', 'buzz customer');
      expect(brew.attributes['shop.order.id']).toBe(orderId);
      expect(buzz.attributes['shop.order.id']).toBe(orderId);

      if (transport === 'http') {
        // order → (undici) → barista's server span → wait, brew; order → pager → buzz.
        const baristaServer = trace.one('barista', /^POST/, SpanKinds.Server);
        const pagerServer = trace.one('pager', /^POST/, SpanKinds.Server);
        for (const server of [baristaServer, pagerServer]) {
          const client = trace.parentOf(server)!;
          expect(client).toMatchObject({ service: 'order', kind: SpanKinds.Client });
          expect(trace.descends(client, request)).toBe(true);
        }
        expect(trace.descends(wait, baristaServer)).toBe(true);
        expect(trace.descends(brew, baristaServer)).toBe(true);
        expect(trace.descends(buzz, pagerServer)).toBe(true);
        // The whole point of sync: the caller's request holds the brew and the buzz.
        expect(request.start).toBeLessThanOrEqual(brew.start);
        expect(brew.end).toBeLessThanOrEqual(request.end);
        expect(buzz.end).toBeLessThanOrEqual(request.end);
      } else {
        // order: request → create → (outbox) → send, linked back to create.
        const send = trace.one('order', 'send order.placed');
        expect(send.parentSpanId).toBe(created.spanId);
        expect(send.links).toEqual([{ traceId: trace.traceId, spanId: created.spanId }]);
        expect(send).toMatchObject({ kind: SpanKinds.Producer });
        for (const span of [created, send]) {
          expect(span.attributes).toMatchObject({
            'messaging.system': 'rabbitmq',
            'messaging.destination.name': 'order.placed',
            'messaging.rabbitmq.destination.routing_key': 'order.placed',
          });
          expect(span.attributes['messaging.message.id']).toEqual(expect.any(String));
        }
        expect(created.attributes['messaging.operation.type']).toBe('create');
        expect(send.attributes['messaging.operation.type']).toBe('send');
        expect(send.attributes['messaging.message.id']).toBe(
          created.attributes['messaging.message.id'],
        );
        // barista consumes it (a process span continuing the AMQP traceparent header), brews.
        const consumed = trace.one('barista', 'process order.placed', SpanKinds.Consumer);
        expect(consumed.parentSpanId).toBe(send.spanId);
        expect(consumed.attributes).toMatchObject({
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'process',
          'messaging.message.id': send.attributes['messaging.message.id'],
        });
        expect(trace.descends(wait, consumed)).toBe(true);
        expect(trace.descends(brew, consumed)).toBe(true);
        // coffee.brewed, sent from inside the brew, reaches the pager, which buzzes.
        const brewedSend = trace.one('barista', 'send coffee.brewed');
        expect(trace.descends(brewedSend, brew)).toBe(true);
        const paged = trace.one('pager', 'process coffee.brewed', SpanKinds.Consumer);
        expect(paged.parentSpanId).toBe(brewedSend.spanId);
        expect(trace.descends(buzz, paged)).toBe(true);
        // A process span lasts until its delivery is settled (acked after the handler's work):
        // it holds the brew, and the buzz, rather than ending when the handler was started.
        // (Within the clocks' slack: a span ended as its handler started would end a whole brew
        // or buzz earlier.)
        expect(brew.end).toBeLessThanOrEqual(consumed.end + CLOCK_SLACK_MS);
        expect(buzz.end).toBeLessThanOrEqual(paged.end + CLOCK_SLACK_MS);
        // order hears brew.started and coffee.brewed in the same trace.
        const heard = trace.spans.filter(
          (span) => span.service === 'order' && span.kind === SpanKinds.Consumer,
        );
        expect(heard).toHaveLength(2);
        // The whole point of async: the 202 is out before the brew starts.
        expect(request.end).toBeLessThanOrEqual(brew.start);
        expect(send.start).toBeGreaterThanOrEqual(created.end);
      }
    }
  });

  it("keeps the trace ids in every app's log lines about the order", async () => {
    const [{ orderId, trace }] = await placeOrders(1);
    for (const app of APPS) {
      const lines = shop.apps
        .get(app)!
        .log.split('\n')
        .filter((line) => line.startsWith('{') && line.includes(orderId))
        .map((line) => JSON.parse(line) as { traceId?: string; trace_id?: string });
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.traceId).toBe(trace.traceId);
    }
  });
});
