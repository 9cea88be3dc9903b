import { Metrics } from '@app/platform';
import { Logger } from '@nestjs/common';
import { QueueMetrics, type QueueInspector } from './queue-metrics';

const PLACE = { namespace: 't', queue: 't.barista' };

describe('QueueMetrics', () => {
  let metrics: Metrics;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => (metrics = new Metrics('barista')));
  afterEach(() => metrics.onModuleDestroy());

  const collecting = (broker: QueueInspector, timeoutMs = 50) => {
    new QueueMetrics(broker, PLACE, metrics, timeoutMs).onModuleInit();
    return async () => {
      const text = await metrics.registry.metrics();
      return text.split('\n').filter((line) => line.startsWith('shop_queue_'));
    };
  };

  it("reports the queue's ready messages and consumers, with one check per scrape", async () => {
    const checkQueue = jest.fn().mockResolvedValue({ messageCount: 7, consumerCount: 2 });
    const scrape = collecting({ checkQueue });

    expect(await scrape()).toEqual([
      'shop_queue_messages{queue="t.barista",service="barista"} 7',
      'shop_queue_messages{queue="t.unroutable",service="barista"} 7',
      'shop_queue_consumers{queue="t.barista",service="barista"} 2',
      'shop_queue_consumers{queue="t.unroutable",service="barista"} 2',
    ]);
    // One check of each queue per scrape, for both gauges.
    expect(checkQueue).toHaveBeenCalledTimes(2);
    expect(checkQueue).toHaveBeenCalledWith('t.barista');
    expect(checkQueue).toHaveBeenCalledWith('t.unroutable');
  });

  it('leaves both series out, without failing the scrape, when the check fails', async () => {
    const checkQueue = jest
      .fn()
      .mockResolvedValueOnce({ messageCount: 1, consumerCount: 1 })
      .mockRejectedValueOnce(new Error('NOT_FOUND'));
    const scrape = collecting({ checkQueue });

    expect(await scrape()).toHaveLength(2);
    expect(await scrape()).toEqual([]);
  });

  it('leaves both series out when the broker does not answer in time', async () => {
    const scrape = collecting({ checkQueue: () => new Promise(() => undefined) }, 20);
    expect(await scrape()).toEqual([]);
  });

  it('registers nothing without a Metrics', async () => {
    const checkQueue = jest.fn();
    new QueueMetrics({ checkQueue }, PLACE, undefined).onModuleInit();
    expect(await metrics.registry.metrics()).not.toContain('shop_queue_');
    expect(checkQueue).not.toHaveBeenCalled();
  });
});
