import type { ChannelModel, GetMessage, Message } from 'amqplib';
import { DeadLetterQueue, describeDeadLetter, replayCopy } from './dead-letters';

/** A dead letter as our consumers write it (see libs/messaging dead-letter.ts). */
function ours(id: string, extra: Record<string, unknown> = {}): GetMessage {
  return {
    content: Buffer.from(`{"pattern":"coffee.brewed","data":{"id":"${id}"}}`),
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: 'ns.dlx',
      routingKey: 'coffee.brewed',
      messageCount: 0,
    },
    properties: {
      messageId: id,
      correlationId: `corr-${id}`,
      contentType: 'application/json',
      type: 'coffee.brewed',
      timestamp: 1700000000,
      headers: {
        'x-causation-id': 'cause-1',
        'x-dead-letter-reason': 'handler failed: Order o-1 not found',
        'x-error': 'Order o-1 not found',
        'x-attempts': 4,
        'x-original-queue': 'ns.order',
        'x-original-exchange': 'ns.events',
        'x-original-routing-key': 'coffee.brewed',
        'x-dead-lettered-at': '2026-01-02T03:04:05.000Z',
        'x-death': [{ count: 1, reason: 'expired', queue: 'ns.order.retry.3' }],
        ...extra,
      },
    },
  } as unknown as GetMessage;
}

/** One the broker dead-lettered by itself (rejected without requeue), with only x-death. */
function brokers(): Message {
  return {
    content: Buffer.from('{}'),
    fields: { deliveryTag: 2, redelivered: false, exchange: 'ns.dlx', routingKey: 'order.placed' },
    properties: {
      messageId: 'b-1',
      headers: {
        'x-death': [
          {
            count: 1,
            reason: 'rejected',
            queue: 'ns.barista',
            exchange: 'ns.events',
            'routing-keys': ['order.placed'],
            time: { '!': 'timestamp', value: 1700000000 },
          },
        ],
      },
    },
  } as unknown as Message;
}

describe('describeDeadLetter', () => {
  it('reads our headers: id, routing key, queue, attempts, when and why', () => {
    expect(describeDeadLetter(ours('m-1'))).toEqual({
      id: 'm-1',
      routingKey: 'coffee.brewed',
      queue: 'ns.order',
      attempts: 4,
      deadLetteredAt: '2026-01-02T03:04:05.000Z',
      reason: 'handler failed: Order o-1 not found',
      error: 'Order o-1 not found',
      correlationId: 'corr-m-1',
    });
  });

  it("falls back to the broker's x-death record", () => {
    expect(describeDeadLetter(brokers())).toMatchObject({
      id: 'b-1',
      routingKey: 'order.placed',
      queue: 'ns.barista',
      attempts: null,
      deadLetteredAt: '2023-11-14T22:13:20.000Z',
      reason: 'dead-lettered by the broker: rejected',
    });
  });
});

describe('replayCopy', () => {
  it('goes to the queue it failed on, keeps the event routing key, and drops the failure', () => {
    const copy = replayCopy(ours('m-1'), new Date('2026-02-03T00:00:00Z'));

    expect(copy).toEqual({
      queue: 'ns.order',
      options: {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        messageId: 'm-1',
        correlationId: 'corr-m-1',
        type: 'coffee.brewed',
        timestamp: 1700000000,
        headers: {
          'x-causation-id': 'cause-1',
          'x-original-queue': 'ns.order',
          'x-original-exchange': 'ns.events',
          'x-original-routing-key': 'coffee.brewed',
          'x-replayed-at': '2026-02-03T00:00:00.000Z',
        },
      },
    });
  });

  it("replays a broker's dead letter to its queue, routing key from x-death", () => {
    const copy = replayCopy(brokers());

    expect(copy).toMatchObject({
      queue: 'ns.barista',
      options: {
        headers: {
          'x-original-routing-key': 'order.placed',
          'x-original-exchange': 'ns.events',
        },
      },
    });
  });

  it('refuses a letter that does not say where it came from', () => {
    const letter = ours('m-2', { 'x-original-queue': undefined, 'x-death': undefined });
    expect(replayCopy(letter)).toEqual({ problem: 'it does not say which queue it failed on' });
  });
});

/** A broker holding `letters` in the dead-letter queue, recording what the tool does. */
function fakeBroker(letters: GetMessage[], { returns = false } = {}) {
  const steps: string[] = [];
  const queue = [...letters];
  let onReturn: (message: Message) => void = () => undefined;
  const channel = {
    on: jest.fn((event: string, listener: (message: Message) => void) => {
      if (event === 'return') onReturn = listener;
    }),
    checkQueue: jest.fn(() => Promise.resolve({ messageCount: queue.length })),
    get: jest.fn(() => Promise.resolve(queue.shift() ?? false)),
    nackAll: jest.fn((requeue: boolean) => steps.push(`nackAll ${requeue}`)),
    nack: jest.fn((m: Message) => steps.push(`nack ${m.properties.messageId}`)),
    ack: jest.fn((m: Message) => steps.push(`ack ${m.properties.messageId}`)),
    publish: jest.fn(
      (exchange: string, key: string, _content: Buffer, options: { messageId: string }) => {
        steps.push(`publish ${options.messageId} ${exchange}->${key}`);
        if (returns) onReturn({ properties: { messageId: options.messageId } } as Message);
        return true;
      },
    ),
    waitForConfirms: jest.fn(() => Promise.resolve(steps.push('confirmed'))),
    purgeQueue: jest.fn(() => Promise.resolve({ messageCount: queue.length })),
    close: jest.fn(() => Promise.resolve()),
  };
  const connection = {
    createChannel: () => Promise.resolve(channel),
    createConfirmChannel: () => Promise.resolve(channel),
  } as unknown as ChannelModel;
  return { steps, channel, dlq: new DeadLetterQueue(connection, 'ns') };
}

describe('DeadLetterQueue', () => {
  it('lists without taking: every letter read is given back with a requeue', async () => {
    const { steps, channel, dlq } = fakeBroker([ours('m-1'), ours('m-2'), ours('m-3')]);

    const { total, letters } = await dlq.list(2);

    expect(total).toBe(3);
    expect(letters.map((letter) => letter.id)).toEqual(['m-1', 'm-2']);
    expect(channel.get).toHaveBeenCalledWith('ns.dead-letters', { noAck: false });
    expect(channel.ack).not.toHaveBeenCalled();
    expect(steps).toEqual(['nackAll true']);
  });

  it('replays the chosen letter, acking it only after the broker confirmed the copy', async () => {
    const { steps, dlq } = fakeBroker([ours('m-1'), ours('m-2')]);

    const outcomes = await dlq.replay(['m-2', 'nope']);

    expect(outcomes).toEqual([
      { id: 'm-2', replayed: true, detail: 'to ns.order (coffee.brewed)' },
      { id: 'nope', replayed: false, detail: 'no dead letter has message id nope' },
    ]);
    expect(steps).toEqual(['publish m-2 ->ns.order', 'confirmed', 'ack m-2', 'nackAll true']);
  });

  it('keeps a letter whose queue is gone (the copy came back unroutable)', async () => {
    const { steps, dlq } = fakeBroker([ours('m-1')], { returns: true });

    const [outcome] = await dlq.replay(['m-1']);

    expect(outcome).toEqual({
      id: 'm-1',
      replayed: false,
      detail: 'queue ns.order does not exist; kept it',
    });
    expect(steps).toEqual(['publish m-1 ->ns.order', 'confirmed', 'nack m-1', 'nackAll true']);
  });

  it('purges, saying how many went', async () => {
    const { dlq } = fakeBroker([ours('m-1'), ours('m-2')]);
    await expect(dlq.purge()).resolves.toBe(2);
  });
});
