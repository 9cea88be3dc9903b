import type { Channel } from 'amqplib';
import { deadLetter, retryLater } from './dead-letter';
import { delivery as aDelivery, fakeConfirmChannel } from './testing/amqp-fakes';

/** The broker confirms only when the test calls the recorded `confirm`. */
const confirmChannel = () => fakeConfirmChannel({ autoConfirm: false });
const delivery = () =>
  aDelivery(
    { pattern: 'order.placed', data: {} },
    {
      exchange: 'shop.events',
      deliveryTag: 7,
      properties: { headers: { 'x-causation-id': 'cause-1' }, timestamp: 1700000000 },
    },
  );

const place = { namespace: 'shop', queue: 'shop.barista' };
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('deadLetter', () => {
  it('publishes a copy to <namespace>.dlx under the original routing key, with the reason', async () => {
    const { published, asChannel } = confirmChannel();
    const message = delivery();

    const done = deadLetter(asChannel, message, 'handler failed: boom', place);
    published[0].confirm?.(null);
    await done;

    expect(published).toHaveLength(1);
    const [copy] = published;
    expect(copy.exchange).toBe('shop.dlx');
    expect(copy.routingKey).toBe('order.placed');
    expect(copy.content).toBe(message.content);
    expect(copy.options).toMatchObject({
      persistent: true,
      contentType: 'application/json',
      messageId: 'message-1',
      correlationId: 'corr-1',
      type: 'order.placed',
      timestamp: 1700000000,
      headers: {
        'x-causation-id': 'cause-1',
        'x-dead-letter-reason': 'handler failed: boom',
        'x-original-queue': 'shop.barista',
        'x-original-exchange': 'shop.events',
        'x-original-routing-key': 'order.placed',
      },
    });
    expect(Date.parse(copy.options.headers['x-dead-lettered-at'] as string)).not.toBeNaN();
  });

  it('acks the original only once the broker has confirmed the copy', async () => {
    const { channel, published, steps, asChannel } = confirmChannel();
    const message = delivery();

    const done = deadLetter(asChannel, message, 'why', place);
    await flush();
    expect(channel.ack).not.toHaveBeenCalled();

    published[0].confirm?.(null);
    await done;

    expect(channel.ack).toHaveBeenCalledTimes(1);
    expect(channel.ack).toHaveBeenCalledWith(message);
    expect(steps).toEqual(['publish', 'ack']);
  });

  it('does not ack when the broker refuses the copy, so the message is redelivered', async () => {
    const { channel, published, asChannel } = confirmChannel();

    const done = deadLetter(asChannel, delivery(), 'why', place);
    published[0].confirm?.(new Error('nack'));

    await expect(done).rejects.toThrow('nack');
    expect(channel.ack).not.toHaveBeenCalled();
  });

  it('keeps the reason header to 1000 characters', async () => {
    const { published, asChannel } = confirmChannel();

    const done = deadLetter(asChannel, delivery(), 'x'.repeat(5000), place);
    published[0].confirm?.(null);
    await done;

    expect(published[0].options.headers['x-dead-letter-reason']).toHaveLength(1000);
  });

  it('on a channel without confirms, acks right after publishing', async () => {
    const ack = jest.fn();
    const publish = jest.fn(() => true);
    const channel = { publish, ack } as unknown as Channel;
    const message = delivery();

    await deadLetter(channel, message, 'why', place);

    expect(publish).toHaveBeenCalledWith(
      'shop.dlx',
      'order.placed',
      message.content,
      expect.objectContaining({ persistent: true }),
      expect.any(Function),
    );
    expect(ack).toHaveBeenCalledWith(message);
  });
});

describe('deadLetter details', () => {
  it('records the error (the reason unless given) and the attempts (0 unless given)', async () => {
    const { published, asChannel } = fakeConfirmChannel();

    await deadLetter(asChannel, delivery(), 'malformed: not JSON', place);
    await deadLetter(asChannel, delivery(), 'handler failed: boom', place, {
      error: 'boom',
      attempts: 4,
    });

    expect(published[0].options.headers).toMatchObject({
      'x-error': 'malformed: not JSON',
      'x-attempts': 0,
    });
    expect(published[1].options.headers).toMatchObject({ 'x-error': 'boom', 'x-attempts': 4 });
  });
});

describe('retryLater', () => {
  const retrying = { ...place, context: 'barista', retry: { retries: 3, baseDelayMs: 250 } };

  it("parks a copy in the attempt's retry queue, with that level's delay as its TTL", async () => {
    const { channel, published, steps, asChannel } = fakeConfirmChannel();
    const message = delivery();

    await retryLater(asChannel, message, retrying, 3, 'boom');

    expect(published).toHaveLength(1);
    const [copy] = published;
    expect(copy.exchange).toBe('');
    expect(copy.routingKey).toBe('shop.barista.retry.3');
    expect(copy.content).toBe(message.content);
    expect(copy.options).toMatchObject({
      expiration: '1000',
      persistent: true,
      messageId: 'message-1',
      correlationId: 'corr-1',
      headers: {
        'x-causation-id': 'cause-1',
        'x-attempts': 3,
        'x-error': 'boom',
        'x-original-queue': 'shop.barista',
        'x-original-exchange': 'shop.events',
        'x-original-routing-key': 'order.placed',
      },
    });
    expect(channel.ack).toHaveBeenCalledWith(message);
    expect(steps).toEqual(['publish', 'ack']);
  });
});
