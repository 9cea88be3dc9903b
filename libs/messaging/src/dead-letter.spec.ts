import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { deadLetter } from './dead-letter';

type Confirm = (error: unknown) => void;

interface Published {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
  readonly confirm?: Confirm;
}

/** A confirm channel whose broker confirms only when the test calls `confirm`. */
function confirmChannel() {
  const published: Published[] = [];
  const steps: string[] = [];
  const channel = {
    publish: jest.fn(
      (
        exchange: string,
        routingKey: string,
        content: Buffer,
        options: Options.Publish,
        confirm: Confirm,
      ) => {
        steps.push('publish');
        published.push({ exchange, routingKey, content, options, confirm });
        return true;
      },
    ),
    ack: jest.fn(() => steps.push('ack')),
    waitForConfirms: jest.fn(),
  };
  return { channel, published, steps, asChannel: channel as unknown as ConfirmChannel };
}

function delivery(): ConsumeMessage {
  return {
    content: Buffer.from('{"pattern":"order.placed","data":{}}'),
    fields: {
      deliveryTag: 7,
      redelivered: false,
      exchange: 'shop.events',
      routingKey: 'order.placed',
      consumerTag: 'consumer-1',
    },
    properties: {
      contentType: 'application/json',
      contentEncoding: undefined,
      headers: { 'x-causation-id': 'cause-1' },
      deliveryMode: 2,
      priority: undefined,
      correlationId: 'corr-1',
      replyTo: undefined,
      expiration: undefined,
      messageId: 'message-1',
      timestamp: 1700000000,
      type: 'order.placed',
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
    },
  };
}

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
