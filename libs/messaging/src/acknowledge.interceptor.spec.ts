import 'reflect-metadata';
import { OrderPlaced } from '@app/contracts';
import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  Logger,
} from '@nestjs/common';
import { RmqContext } from '@nestjs/microservices';
import type { ConsumeMessage } from 'amqplib';
import { defer, lastValueFrom, throwError } from 'rxjs';
import { AcknowledgeInterceptor } from './acknowledge.interceptor';
import { InFlightMessages } from './in-flight';
import type { MessagingPlace } from './messaging-place';
import { messageValidationPipe } from './message-validation.pipe';
import { PublishFailedError } from './rmq-event.publisher';
import { delivery as aDelivery, fakeConfirmChannel } from './testing/amqp-fakes';

const RETRYING: MessagingPlace = {
  namespace: 't',
  queue: 't.barista',
  context: 'barista',
  retry: { retries: 2, baseDelayMs: 100 },
};

/** A delivery as it comes back from retry queue `t.barista.retry.<n>` after `attempts` failures. */
const retried = (attempts: number | string) =>
  aDelivery(undefined, {
    exchange: '',
    routingKey: 't.barista',
    deliveryTag: 3,
    properties: {
      headers: {
        'x-attempts': attempts,
        'x-original-exchange': 't.events',
        'x-original-routing-key': 'order.placed',
        'x-original-queue': 't.barista',
      },
    },
  });

describe('AcknowledgeInterceptor', () => {
  let channel: ReturnType<typeof fakeConfirmChannel>['channel'];
  let published: ReturnType<typeof fakeConfirmChannel>['published'];
  let steps: string[];
  let inFlight: InFlightMessages;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    ({ channel, published, steps } = fakeConfirmChannel());
    inFlight = new InFlightMessages();
  });

  /** Runs `handler` on `message` through an interceptor for `place`; never rejects. */
  const run = (
    handler: CallHandler,
    message: ConsumeMessage = aDelivery(undefined, { deliveryTag: 3 }),
    place: MessagingPlace = { namespace: 't', queue: 't.barista' },
  ) => {
    const rmq = new RmqContext([message, channel, 'order.placed']);
    const context = {
      switchToRpc: () => ({ getContext: () => rmq }),
    } as unknown as ExecutionContext;
    inFlight.add(message, channel as never);
    const interceptor = new AcknowledgeInterceptor(place, inFlight);
    return lastValueFrom(interceptor.intercept(context, handler), { defaultValue: undefined });
  };
  const failing = (error: unknown): CallHandler => ({ handle: () => throwError(() => error) });
  const headers = (i = 0) => published[i].options.headers as Record<string, unknown>;

  it('acks the message once the handler is done, and passes its result on', async () => {
    let finish: (value: string) => void = () => undefined;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const message = aDelivery(undefined, { deliveryTag: 3 });
    const result = run({ handle: () => defer(() => work) }, message);

    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(channel.ack).not.toHaveBeenCalled();
    expect(inFlight.size).toBe(1);

    finish('brewed');
    await expect(result).resolves.toBe('brewed');
    expect(channel.ack).toHaveBeenCalledTimes(1);
    expect(channel.ack).toHaveBeenCalledWith(message);
    expect(channel.publish).not.toHaveBeenCalled();
    expect(inFlight.size).toBe(0);
  });

  it('parks a first failure in retry queue 1 with its delay, the error and the attempt, then acks it', async () => {
    const message = aDelivery(undefined, { deliveryTag: 3 });
    await run(failing(new Error('machine on fire')), message, RETRYING);

    expect(published).toHaveLength(1);
    expect(published[0].exchange).toBe('');
    expect(published[0].routingKey).toBe('t.barista.retry.1');
    expect(published[0].options).toMatchObject({ expiration: '100', persistent: true });
    expect(published[0].content).toBe(message.content);
    expect(headers()).toMatchObject({
      'x-attempts': 1,
      'x-error': 'machine on fire',
      'x-original-queue': 't.barista',
      'x-original-exchange': 't.events',
      'x-original-routing-key': 'order.placed',
    });
    expect(headers()).not.toHaveProperty('x-dead-letter-reason');
    expect(steps).toEqual(['publish', 'ack']);
    expect(inFlight.size).toBe(0);
  });

  it('waits twice as long before each further retry, keeping the original routing key', async () => {
    await run(failing(new Error('still on fire')), retried(1), RETRYING);

    expect(published[0].routingKey).toBe('t.barista.retry.2');
    expect(published[0].options.expiration).toBe('200');
    expect(headers()).toMatchObject({
      'x-attempts': 2,
      'x-original-exchange': 't.events',
      'x-original-routing-key': 'order.placed',
    });
  });

  it('dead-letters the message once its retries are used up, with the error and the attempts', async () => {
    await run(failing(new Error('on fire for good')), retried(2), RETRYING);

    expect(published).toHaveLength(1);
    expect(published[0].exchange).toBe('t.dlx');
    expect(published[0].routingKey).toBe('order.placed');
    expect(headers()).toMatchObject({
      'x-dead-letter-reason': 'handler failed: on fire for good',
      'x-error': 'on fire for good',
      'x-attempts': 3,
      'x-original-queue': 't.barista',
      'x-original-exchange': 't.events',
      'x-original-routing-key': 'order.placed',
    });
    expect(steps).toEqual(['publish', 'ack']);
  });

  it('counts an attempts header that is not a number as no attempts at all', async () => {
    await run(failing(new Error('boom')), retried('lots'), RETRYING);

    expect(published[0].routingKey).toBe('t.barista.retry.1');
    expect(headers()['x-attempts']).toBe(1);
  });

  it('retries an unconfirmed publish like any other failure', async () => {
    const unconfirmed = new PublishFailedError('the broker did not confirm coffee.brewed');
    await run(failing(unconfirmed), undefined, RETRYING);

    expect(published[0].routingKey).toBe('t.barista.retry.1');
    expect(channel.nack).not.toHaveBeenCalled();
  });

  it('without a retry policy, dead-letters a failure at once, naming the one attempt', async () => {
    await run(failing(new Error('machine on fire')));

    expect(published[0].exchange).toBe('t.dlx');
    expect(published[0].routingKey).toBe('order.placed');
    expect(headers()['x-dead-letter-reason']).toBe('handler failed: machine on fire');
    expect(headers()['x-attempts']).toBe(1);
    expect(steps).toEqual(['publish', 'ack']);
    expect(channel.nack).not.toHaveBeenCalled();
  });

  it('dead-letters a message that failed validation at once, naming the fields, even with retries left', async () => {
    const invalid = await messageValidationPipe()
      .transform(
        { messageId: 'nope', type: 'order.placed', occurredAt: 'now', correlationId: 'c' },
        { type: 'body', metatype: OrderPlaced },
      )
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(BadRequestException);

    await run(failing(invalid), undefined, RETRYING);

    expect(published).toHaveLength(1);
    expect(published[0].exchange).toBe('t.dlx');
    const reason = String(headers()['x-dead-letter-reason']);
    expect(reason).toMatch(/^invalid message: /);
    expect(reason).toContain('messageId must be a UUID');
    expect(reason).toContain('occurredAt');
    expect(reason).toContain('; ');
    expect(steps).toEqual(['publish', 'ack']);
  });

  it('describes a BadRequestException with a single message too', async () => {
    await run(failing(new BadRequestException('no such order')));

    expect(headers()['x-dead-letter-reason']).toBe('invalid message: no such order');
    expect(steps).toEqual(['publish', 'ack']);
  });

  it('leaves a message for redelivery when its channel is closing, instead of retrying it', async () => {
    const closing = Object.assign(new Error('Channel closing'), { name: 'IllegalOperationError' });
    await run(failing(closing), undefined, RETRYING);

    expect(channel.publish).not.toHaveBeenCalled();
    expect(channel.ack).not.toHaveBeenCalled();
    expect(channel.nack).not.toHaveBeenCalled();
    expect(inFlight.size).toBe(0);
  });

  it('leaves a message unacked when the broker refuses its retry copy', async () => {
    channel.publish.mockImplementationOnce((...args: unknown[]) => {
      (args[4] as (error: unknown) => void)(new Error('nack'));
      return true;
    });

    await run(failing(new Error('boom')), undefined, RETRYING);

    expect(channel.ack).not.toHaveBeenCalled();
    expect(inFlight.size).toBe(0);
  });
});
