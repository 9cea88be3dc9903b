import 'reflect-metadata';
import { type CoffeeBrewed, envelope, EventTypes } from '@app/contracts';
import { Logger } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import type { Buzz } from '../domain/buzz';
import { BuzzRepository } from '../domain/buzz.repository';
import { InMemoryBuzzRepository } from '../infrastructure/in-memory-buzz.repository';
import { InProcessBuzzFeed } from '../infrastructure/in-process-buzz-feed';
import { BuzzStream } from './buzz-stream';
import { BuzzCustomerCommand } from './commands/buzz-customer/buzz-customer.command';
import { BuzzCustomerHandler } from './commands/buzz-customer/buzz-customer.handler';
import { BuzzFeed } from './ports/buzz-feed.port';

function coffeeBrewed(customer: string, orderId: string = randomUUID()): CoffeeBrewed {
  const now = new Date().toISOString();
  return envelope<CoffeeBrewed>(
    EventTypes.CoffeeBrewed,
    { orderId, baristaId: 'b-1', machine: 1, startedAt: now, customer, brewedAt: now },
    { correlationId: `corr-${customer}` },
  );
}

describe('BuzzStream', () => {
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let stream: BuzzStream;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [
        BuzzCustomerHandler,
        BuzzStream,
        { provide: BuzzRepository, useClass: InMemoryBuzzRepository },
        { provide: BuzzFeed, useClass: InProcessBuzzFeed },
      ],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
    stream = moduleRef.get(BuzzStream);
  });

  afterEach(() => moduleRef.close());

  const buzz = (brewed: CoffeeBrewed) => commands.execute(new BuzzCustomerCommand(brewed));

  it('emits each new buzz, in order, and not the repeats', async () => {
    const firstTwo = lastValueFrom(stream.live.pipe(take(2), toArray()));
    const ada = coffeeBrewed('Ada');

    const adaBuzz = await buzz(ada);
    await buzz(ada);
    const graceBuzz = await buzz(coffeeBrewed('Grace'));

    const emitted: Buzz[] = await firstTwo;
    expect(emitted).toEqual([adaBuzz.buzz, graceBuzz.buzz]);
  });

  it('sends each buzz to every open stream', async () => {
    const one = firstValueFrom(stream.live);
    const two = firstValueFrom(stream.live);

    const { buzz: sent } = await buzz(coffeeBrewed('Ada'));

    await expect(one).resolves.toEqual(sent);
    await expect(two).resolves.toEqual(sent);
  });

  it('completes open streams when the app shuts down', async () => {
    const received: Buzz[] = [];
    const completed = new Promise<void>((resolve) =>
      stream.live.subscribe({ next: (b) => received.push(b), complete: resolve }),
    );

    await moduleRef.close();

    await expect(completed).resolves.toBeUndefined();
    expect(received).toEqual([]);
  });
});
