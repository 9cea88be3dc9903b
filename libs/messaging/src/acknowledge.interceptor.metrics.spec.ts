import 'reflect-metadata';
import { Metrics } from '@app/platform';
import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  Logger,
} from '@nestjs/common';
import { RmqContext } from '@nestjs/microservices';
import { lastValueFrom, of, throwError } from 'rxjs';
import { AcknowledgeInterceptor } from './acknowledge.interceptor';
import type { MessagingPlace } from './messaging-place';
import { delivery, fakeConfirmChannel } from './testing/amqp-fakes';

const PLACE: MessagingPlace = {
  namespace: 't',
  queue: 't.barista',
  context: 'barista',
  retry: { retries: 1, baseDelayMs: 100 },
};

describe('AcknowledgeInterceptor metrics', () => {
  let metrics: Metrics;

  beforeAll(() => Logger.overrideLogger(false));
  beforeEach(() => (metrics = new Metrics('barista')));
  afterEach(() => metrics.onModuleDestroy());

  const run = async (handler: CallHandler, attempts = 0) => {
    const { channel } = fakeConfirmChannel();
    const message = delivery(undefined, {
      deliveryTag: 1,
      properties: { headers: attempts ? { 'x-attempts': attempts } : {} },
    });
    const rmq = new RmqContext([message, channel, 'order.placed']);
    const context = {
      switchToRpc: () => ({ getContext: () => rmq }),
    } as unknown as ExecutionContext;
    const interceptor = new AcknowledgeInterceptor(PLACE, undefined, metrics);
    await lastValueFrom(interceptor.intercept(context, handler), { defaultValue: undefined });
  };
  const failing = (error: unknown): CallHandler => ({ handle: () => throwError(() => error) });
  const handled = async (outcome: string) =>
    (await metrics.messageHandlerDuration.get()).values.find(
      (value) =>
        value.metricName === 'shop_message_handler_duration_seconds_count' &&
        value.labels.outcome === outcome &&
        value.labels.pattern === 'order.placed',
    )?.value ?? 0;
  const counted = async (counter: 'messagesRetried' | 'messagesDeadLettered', reason?: string) =>
    (await metrics[counter].get()).values
      .filter((value) => value.labels.queue === 't.barista')
      .filter(
        (value) =>
          reason === undefined || (value.labels as Record<string, unknown>).reason === reason,
      )
      .reduce((sum, value) => sum + value.value, 0);

  it('times an acked message under outcome "ack"', async () => {
    await run({ handle: () => of('brewed') });
    expect(await handled('ack')).toBe(1);
    expect(await counted('messagesRetried')).toBe(0);
    expect(await counted('messagesDeadLettered')).toBe(0);
  });

  it('counts a failure that will be retried', async () => {
    await run(failing(new Error('machine on fire')));
    expect(await handled('retry')).toBe(1);
    expect(await counted('messagesRetried')).toBe(1);
    expect(await counted('messagesDeadLettered')).toBe(0);
  });

  it('counts a failure past its retries as dead-lettered, reason "failed"', async () => {
    await run(failing(new Error('still on fire')), 1);
    expect(await handled('dead_letter')).toBe(1);
    expect(await counted('messagesDeadLettered', 'failed')).toBe(1);
    expect(await counted('messagesRetried')).toBe(0);
  });

  it('counts an invalid message as dead-lettered, reason "invalid"', async () => {
    await run(failing(new BadRequestException(['customer must be a string'])));
    expect(await counted('messagesDeadLettered', 'invalid')).toBe(1);
  });

  it('counts a message left for redelivery as neither retried nor dead-lettered', async () => {
    const gone = Object.assign(new Error('Channel closed'), { name: 'IllegalOperationError' });
    await run(failing(gone));
    expect(await handled('redeliver')).toBe(1);
    expect(await counted('messagesRetried')).toBe(0);
    expect(await counted('messagesDeadLettered')).toBe(0);
  });
});
