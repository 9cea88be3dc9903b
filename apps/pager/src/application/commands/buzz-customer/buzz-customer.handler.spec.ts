import 'reflect-metadata';
import { type CoffeeBrewed, envelope, EventTypes } from '@app/contracts';
import { Logger } from '@nestjs/common';
import { CommandBus, CqrsModule, EventBus } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import type { Buzz } from '../../../domain/buzz';
import { BuzzRepository } from '../../../domain/buzz.repository';
import { CustomerBuzzedEvent } from '../../events/customer-buzzed.event';
import { BuzzCustomerCommand } from './buzz-customer.command';
import { BuzzCustomerHandler } from './buzz-customer.handler';

class FakeBuzzRepository extends BuzzRepository {
  readonly buzzes = new Map<string, Buzz>();

  recordOnce(buzz: Buzz): Promise<Buzz | undefined> {
    const earlier = this.buzzes.get(buzz.orderId);
    if (!earlier) this.buzzes.set(buzz.orderId, buzz);
    return Promise.resolve(earlier);
  }

  findByOrder(orderId: string): Promise<Buzz | undefined> {
    return Promise.resolve(this.buzzes.get(orderId));
  }

  latest(): Promise<{ buzzes: Buzz[]; total: number }> {
    return Promise.reject(new Error('not used here'));
  }
}

function coffeeBrewed(orderId: string = randomUUID(), customer = 'Ada'): CoffeeBrewed {
  const now = new Date().toISOString();
  return envelope<CoffeeBrewed>(
    EventTypes.CoffeeBrewed,
    { orderId, baristaId: 'b-1', machine: 1, startedAt: now, customer, brewedAt: now },
    { correlationId: `corr-${orderId}`, causationId: randomUUID() },
  );
}

describe('BuzzCustomerHandler', () => {
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let repository: FakeBuzzRepository;
  let published: jest.SpyInstance;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    repository = new FakeBuzzRepository();
    moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [BuzzCustomerHandler, { provide: BuzzRepository, useValue: repository }],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
    published = jest.spyOn(moduleRef.get(EventBus), 'publish');
  });

  afterEach(() => moduleRef.close());

  it('buzzes the customer of the brewed order and announces it on the event bus', async () => {
    const brewed = coffeeBrewed(undefined, 'Grace');

    const { buzz, repeated } = await commands.execute(new BuzzCustomerCommand(brewed));

    expect(repeated).toBe(false);
    expect(buzz).toEqual({
      orderId: brewed.data.orderId,
      customer: 'Grace',
      buzzedAt: expect.any(String) as string,
      correlationId: brewed.correlationId,
      messageId: brewed.messageId,
    });
    expect(Number.isNaN(Date.parse(buzz.buzzedAt))).toBe(false);
    expect(repository.buzzes.get(brewed.data.orderId)).toEqual(buzz);
    expect(published).toHaveBeenCalledTimes(1);
    const [event] = published.mock.calls[0] as [CustomerBuzzedEvent];
    expect(event).toBeInstanceOf(CustomerBuzzedEvent);
    expect(event.buzz).toEqual(buzz);
  });

  it('buzzes an order once: a repeat answers repeated with the earlier buzz and announces nothing', async () => {
    const brewed = coffeeBrewed();
    const first = await commands.execute(new BuzzCustomerCommand(brewed));

    const again = await commands.execute(new BuzzCustomerCommand(brewed));
    const redelivered = await commands.execute(
      new BuzzCustomerCommand({ ...coffeeBrewed(brewed.data.orderId), messageId: randomUUID() }),
    );

    expect(again).toEqual({ buzz: first.buzz, repeated: true });
    expect(redelivered).toEqual({ buzz: first.buzz, repeated: true });
    expect(published).toHaveBeenCalledTimes(1);
  });

  it('buzzes different orders separately', async () => {
    const first = await commands.execute(new BuzzCustomerCommand(coffeeBrewed()));
    const second = await commands.execute(new BuzzCustomerCommand(coffeeBrewed()));

    expect(first.repeated).toBe(false);
    expect(second.repeated).toBe(false);
    expect(second.buzz.orderId).not.toBe(first.buzz.orderId);
    expect(published).toHaveBeenCalledTimes(2);
  });
});
