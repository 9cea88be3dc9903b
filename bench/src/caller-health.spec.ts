import { eventLoopDelayMs, healthBySecond, type CallerHealthSamples } from './caller-health';

describe('caller health', () => {
  it('reads the event-loop delay beyond the 10 ms monitoring interval from /metrics', () => {
    const metrics = [
      'nodejs_eventloop_lag_p99_seconds{service="order"} 0.0521',
      'nodejs_eventloop_lag_p50_seconds{service="order"} 0.0101',
    ].join('\n');
    expect(eventLoopDelayMs(metrics)).toBe(42.1);
    expect(eventLoopDelayMs('nodejs_eventloop_lag_p99_seconds 0.009')).toBe(0);
    expect(eventLoopDelayMs('# nothing')).toBeNull();
  });

  it('keeps the worst of each second, and null where nothing was sampled', () => {
    const origin = 1000;
    const gauge = (at: number, inFlight: number | null) => ({
      at,
      baristaInFlight: inFlight,
      baristaSockets: inFlight,
      pagerInFlight: null,
      pagerSockets: null,
      rssMb: 100,
      eventLoopDelayMs: 2,
    });
    const samples: CallerHealthSamples = {
      getOrder: [
        { at: 1100, ms: 3, ok: true },
        { at: 1600, ms: 40, ok: false },
        { at: 2100, ms: 5, ok: true },
      ],
      listOrders: [{ at: 1200, ms: 6, ok: true }],
      gauges: [gauge(1100, 4), gauge(1900, 150), gauge(2500, null)],
    };

    const [first, second, third] = healthBySecond(samples, origin, 3);

    expect(first).toMatchObject({
      getOrderMs: 40,
      listOrdersMs: 6,
      probeFailures: 1,
      baristaInFlight: 150,
      pagerInFlight: null,
    });
    expect(second).toMatchObject({ getOrderMs: 5, listOrdersMs: null, baristaInFlight: null });
    expect(third).toMatchObject({ getOrderMs: null, orderRssMb: null, probeFailures: 0 });
  });
});
