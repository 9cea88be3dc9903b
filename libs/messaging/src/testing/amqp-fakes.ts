import type { ConfirmChannel, ConsumeMessage, MessageProperties, Options } from 'amqplib';

export type Confirm = (error: unknown) => void;

export interface Published {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish;
  readonly confirm: Confirm;
}

/**
 * A confirm channel for specs: records what is published, and confirms each publish at once
 * (`autoConfirm`) or when the spec calls the recorded `confirm`. `steps` keeps the order of
 * publishes and acks.
 */
export function fakeConfirmChannel({ autoConfirm = true } = {}) {
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
        if (autoConfirm) confirm(null);
        return true;
      },
    ),
    ack: jest.fn(() => steps.push('ack')),
    nack: jest.fn(),
    waitForConfirms: jest.fn(),
  };
  return { channel, published, steps, asChannel: channel as unknown as ConfirmChannel };
}

/** A delivered message: JSON (or raw text) body, with the envelope's ids in its properties. */
export function delivery(
  body: string | object = { pattern: 'order.placed', data: {} },
  {
    routingKey = 'order.placed',
    exchange = 't.events',
    deliveryTag = 1,
    properties = {},
  }: {
    routingKey?: string;
    exchange?: string;
    deliveryTag?: number;
    properties?: Partial<MessageProperties>;
  } = {},
): ConsumeMessage {
  return {
    content: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    fields: { deliveryTag, redelivered: false, exchange, routingKey, consumerTag: 'consumer-1' },
    properties: {
      contentType: 'application/json',
      contentEncoding: undefined,
      headers: {},
      deliveryMode: 2,
      priority: undefined,
      correlationId: 'corr-1',
      replyTo: undefined,
      expiration: undefined,
      messageId: 'message-1',
      timestamp: undefined,
      type: routingKey,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
      ...properties,
    },
  };
}
