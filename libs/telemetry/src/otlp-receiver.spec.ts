import { OtlpReceiver, SpanKinds } from './otlp-receiver';

describe('OtlpReceiver', () => {
  it('decodes an OTLP/HTTP JSON export into spans with their service and times', async () => {
    const receiver = await OtlpReceiver.start();
    try {
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'order' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: 'a'.repeat(32),
                    spanId: 'b'.repeat(16),
                    parentSpanId: 'c'.repeat(16),
                    name: 'send order.placed',
                    kind: SpanKinds.Producer,
                    startTimeUnixNano: '1700000000001500000',
                    endTimeUnixNano: '1700000000003000000',
                    attributes: [
                      { key: 'messaging.system', value: { stringValue: 'rabbitmq' } },
                      { key: 'shop.machine', value: { intValue: '2' } },
                    ],
                    links: [{ traceId: 'a'.repeat(32), spanId: 'c'.repeat(16) }],
                    status: { code: 2 },
                  },
                ],
              },
            ],
          },
        ],
      };
      const response = await fetch(`${receiver.endpoint}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
      expect(receiver.trace('a'.repeat(32))).toEqual([
        {
          service: 'order',
          traceId: 'a'.repeat(32),
          spanId: 'b'.repeat(16),
          parentSpanId: 'c'.repeat(16),
          name: 'send order.placed',
          kind: SpanKinds.Producer,
          start: 1700000000001.5,
          end: 1700000000003,
          attributes: { 'messaging.system': 'rabbitmq', 'shop.machine': 2 },
          links: [{ traceId: 'a'.repeat(32), spanId: 'c'.repeat(16) }],
          error: true,
        },
      ]);
    } finally {
      await receiver.close();
    }
  });
});
