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
import { delivery as aDelivery, fakeConfirmChannel } from './testing/amqp-fakes';
import { PublishFailedError } from './rmq-event.publisher';
import { messageValidationPipe } from './message-validation.pipe';

const fakeChannel = () => fakeConfirmChannel();
const delivery = () => aDelivery(undefined, { deliveryTag: 3 });

describe('AcknowledgeInterceptor', () => {
  const interceptor = new AcknowledgeInterceptor({ namespace: 't', queue: 't.barista' });
  let channel: ReturnType<typeof fakeChannel>['channel'];
  let steps: string[];
  let message: ConsumeMessage;
  let context: ExecutionContext;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    ({ channel, steps } = fakeChannel());
    message = delivery();
    const rmq = new RmqContext([message, channel, 'order.placed']);
    context = { switchToRpc: () => ({ getContext: () => rmq }) } as unknown as ExecutionContext;
  });

  const run = (handler: CallHandler) => lastValueFrom(interceptor.intercept(context, handler));
  const reason = () =>
    (channel.publish.mock.calls[0][3] as { headers: Record<string, string> }).headers[
      'x-dead-letter-reason'
    ];

  it('acks the message once the handler is done, and passes its result on', async () => {
    let finish: (value: string) => void = () => undefined;
    const work = new Promise<string>((resolve) => (finish = resolve));
    const result = run({ handle: () => defer(() => work) });

    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(channel.ack).not.toHaveBeenCalled();

    finish('brewed');
    await expect(result).resolves.toBe('brewed');
    expect(channel.ack).toHaveBeenCalledTimes(1);
    expect(channel.ack).toHaveBeenCalledWith(message);
    expect(channel.publish).not.toHaveBeenCalled();
  });

  it('dead-letters a message the handler failed on, with why, then acks it', async () => {
    await run({ handle: () => throwError(() => new Error('machine on fire')) });

    expect(channel.publish).toHaveBeenCalledTimes(1);
    expect(channel.publish.mock.calls[0][0]).toBe('t.dlx');
    expect(channel.publish.mock.calls[0][1]).toBe('order.placed');
    expect(reason()).toBe('handler failed: machine on fire');
    expect(channel.ack).toHaveBeenCalledTimes(1);
    expect(channel.ack).toHaveBeenCalledWith(message);
    expect(steps).toEqual(['publish', 'ack']);
    expect(channel.nack).not.toHaveBeenCalled();
  });

  it('dead-letters a message that failed validation as an invalid message, naming the fields', async () => {
    const invalid = await messageValidationPipe()
      .transform(
        { messageId: 'nope', type: 'order.placed', occurredAt: 'now', correlationId: 'c' },
        { type: 'body', metatype: OrderPlaced },
      )
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(BadRequestException);

    await run({ handle: () => throwError(() => invalid) });

    expect(reason()).toMatch(/^invalid message: /);
    expect(reason()).toContain('messageId must be a UUID');
    expect(reason()).toContain('occurredAt');
    expect(reason()).toContain('; ');
    expect(steps).toEqual(['publish', 'ack']);
  });

  it('describes a BadRequestException with a single message too', async () => {
    await run({ handle: () => throwError(() => new BadRequestException('no such order')) });

    expect(reason()).toBe('invalid message: no such order');
    expect(steps).toEqual(['publish', 'ack']);
  });

  const settle = (handler: CallHandler) =>
    lastValueFrom(interceptor.intercept(context, handler), { defaultValue: undefined });

  it('leaves a message for redelivery when its channel is closing, instead of dead-lettering it', async () => {
    const closing = Object.assign(new Error('Channel closing'), { name: 'IllegalOperationError' });
    await settle({ handle: () => throwError(() => closing) });

    expect(channel.publish).not.toHaveBeenCalled();
    expect(channel.ack).not.toHaveBeenCalled();
    expect(channel.nack).not.toHaveBeenCalled();
  });

  it('requeues once when a publish was not confirmed, and dead-letters it the second time', async () => {
    const unconfirmed = new PublishFailedError('the broker did not confirm coffee.brewed');
    await settle({ handle: () => throwError(() => unconfirmed) });
    expect(channel.nack).toHaveBeenCalledWith(message, false, true);
    expect(channel.publish).not.toHaveBeenCalled();

    Object.assign(message.fields, { redelivered: true });
    await settle({ handle: () => throwError(() => unconfirmed) });
    expect(reason()).toBe('handler failed: the broker did not confirm coffee.brewed');
    expect(channel.ack).toHaveBeenCalledWith(message);
  });
});
