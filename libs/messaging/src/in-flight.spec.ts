import type { Channel } from 'amqplib';
import { InFlightMessages } from './in-flight';
import { delivery } from './testing/amqp-fakes';

const channel = (name: string) => ({ name }) as unknown as Channel;

describe('InFlightMessages', () => {
  it('is idle at once when nothing is in flight', async () => {
    await expect(new InFlightMessages().idle(10_000)).resolves.toBe(true);
  });

  it('becomes idle when the last delivery is settled', async () => {
    const inFlight = new InFlightMessages();
    const [a, b] = [delivery(), delivery()];
    inFlight.add(a, channel('1'));
    inFlight.add(b, channel('1'));

    const idle = inFlight.idle(10_000);
    inFlight.settled(a);
    expect(inFlight.size).toBe(1);
    inFlight.settled(b);

    await expect(idle).resolves.toBe(true);
  });

  it('forgets the deliveries of a closed channel, and only those', async () => {
    const inFlight = new InFlightMessages();
    const [old, current] = [channel('old'), channel('current')];
    inFlight.add(delivery(), old);
    inFlight.add(delivery(), old);
    const kept = delivery();
    inFlight.add(kept, current);

    inFlight.channelClosed(channel('unrelated'));
    expect(inFlight.size).toBe(3);
    inFlight.channelClosed(old);
    expect(inFlight.size).toBe(1);

    const idle = inFlight.idle(10_000);
    inFlight.settled(kept);
    await expect(idle).resolves.toBe(true);
  });

  it('gives up waiting after the timeout, saying it is not idle', async () => {
    jest.useFakeTimers();
    try {
      const inFlight = new InFlightMessages();
      inFlight.add(delivery(), channel('1'));
      const idle = inFlight.idle(500);
      jest.advanceTimersByTime(500);
      await expect(idle).resolves.toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});
