import { Logger } from '@nestjs/common';
import type { Channel } from 'amqplib';
import { ConsumerControl } from './consumer-control';
import { InFlightMessages } from './in-flight';
import type { ShopRmqServer } from './shop-rmq.server';
import { delivery } from './testing/amqp-fakes';

describe('ConsumerControl', () => {
  beforeAll(() => Logger.overrideLogger(false));

  const fakeServer = (steps: string[]) => {
    const server = {
      isConsuming: true,
      stopConsuming: jest.fn(() => {
        steps.push('cancel');
        server.isConsuming = false;
        return Promise.resolve();
      }),
    };
    return server;
  };

  it('reports no consumer until one is attached, then what the server says', () => {
    const control = new ConsumerControl(new InFlightMessages(), 1000);
    expect(control.state).toBe('none');

    const server = fakeServer([]);
    control.attach(server as unknown as ShopRmqServer);
    expect(control.state).toBe('consuming');
    server.isConsuming = false;
    expect(control.state).toBe('connecting');
  });

  it('on shutdown cancels the consumer first, then waits for the messages in flight', async () => {
    const steps: string[] = [];
    const inFlight = new InFlightMessages();
    const control = new ConsumerControl(inFlight, 10_000);
    control.attach(fakeServer(steps) as unknown as ShopRmqServer);
    const message = delivery();
    inFlight.add(message, {} as Channel);

    const stopping = control.beforeApplicationShutdown().then(() => steps.push('stopped'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(steps).toEqual(['cancel']);
    expect(control.state).toBe('stopped');

    steps.push('acked');
    inFlight.settled(message);
    await stopping;
    expect(steps).toEqual(['cancel', 'acked', 'stopped']);
  });

  it('stops waiting after the shutdown timeout', async () => {
    const inFlight = new InFlightMessages();
    const control = new ConsumerControl(inFlight, 20);
    control.attach(fakeServer([]) as unknown as ShopRmqServer);
    inFlight.add(delivery(), {} as Channel);

    await control.beforeApplicationShutdown();

    expect(inFlight.size).toBe(1);
  });
});
