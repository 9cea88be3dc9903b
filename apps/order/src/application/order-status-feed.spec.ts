import 'reflect-metadata';
import { type OrderPlaced, type PlaceOrderRequest } from '@app/contracts';
import { Logger } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { InMemoryOrderRepository } from '../infrastructure/in-memory-order.repository';
import { InProcessOrderStatusFeed } from '../infrastructure/in-process-order-status-feed';
import { BREWED_AT, brewStarted, coffeeBrewed, STARTED_AT } from '../testing/barista-events';
import { MarkOrderReadyCommand } from './commands/mark-order-ready/mark-order-ready.command';
import { MarkOrderReadyHandler } from './commands/mark-order-ready/mark-order-ready.handler';
import {
  OrderNotHandedOverError,
  PlaceOrderCommand,
} from './commands/place-order/place-order.command';
import { PlaceOrderHandler } from './commands/place-order/place-order.handler';
import { RecordBrewStartedCommand } from './commands/record-brew-started/record-brew-started.command';
import { RecordBrewStartedHandler } from './commands/record-brew-started/record-brew-started.handler';
import { OrderUnitOfWork } from './order-unit-of-work';
import { HopFailedError } from './ports/hop-failed.error';
import { type HandOverOutcome, OrderHandOver } from './ports/order-hand-over.port';
import { OrderStatusFeed, type OrderStatusUpdate } from './ports/order-status-feed.port';
import { OrderRepository } from './ports/order.repository';

/** Hands over as the test says: queued (rmq), or a failed hop (http). */
class FakeHandOver extends OrderHandOver {
  answer: (event: OrderPlaced) => Promise<HandOverOutcome> = () => Promise.resolve('queued');

  handOver(event: OrderPlaced): Promise<HandOverOutcome> {
    return this.answer(event);
  }
}

describe('the order status feed, as the handlers publish to it', () => {
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let events: FakeHandOver;
  let stream: OrderStatusFeed;
  let seen: OrderStatusUpdate[];

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    events = new FakeHandOver();
    moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [
        PlaceOrderHandler,
        RecordBrewStartedHandler,
        MarkOrderReadyHandler,
        OrderUnitOfWork,
        { provide: OrderStatusFeed, useClass: InProcessOrderStatusFeed },
        { provide: OrderRepository, useValue: new InMemoryOrderRepository() },
        { provide: OrderHandOver, useValue: events },
      ],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
    stream = moduleRef.get(OrderStatusFeed);
    seen = [];
    stream.live.subscribe((update) => seen.push(update));
  });

  afterEach(() => moduleRef.close());

  const place = async (customer = 'Ada') => {
    const request: PlaceOrderRequest = {
      customer,
      items: [{ drink: 'latte', size: 'large', quantity: 2 }],
    };
    const order = await commands.execute(new PlaceOrderCommand(request, 'corr-1'));
    return order.id;
  };

  it('emits placed, brewing and ready as the rmq handlers record them, once each', async () => {
    const id = await place();
    const started = brewStarted(id);
    const brewed = coffeeBrewed(id);
    await commands.execute(new RecordBrewStartedCommand(started));
    await commands.execute(new RecordBrewStartedCommand(started));
    await commands.execute(new MarkOrderReadyCommand(brewed));
    await commands.execute(new MarkOrderReadyCommand(brewed));

    expect(seen.map(({ status, at }) => [status, at])).toEqual([
      ['placed', expect.any(String)],
      ['brewing', STARTED_AT],
      ['ready', BREWED_AT],
    ]);
    expect(seen[0]).toEqual({
      id,
      customer: 'Ada',
      items: [{ drink: 'latte', size: 'large', quantity: 2 }],
      status: 'placed',
      at: expect.any(String),
      reason: undefined,
    });
  });

  it('emits brewing before ready when ready is the first news of the brew (http)', async () => {
    events.answer = async (event) => {
      await commands.execute(new MarkOrderReadyCommand(coffeeBrewed(event.data.orderId)));
      return 'done';
    };
    await place();

    expect(seen.map((update) => update.status)).toEqual(['placed', 'brewing', 'ready']);
  });

  it('emits failed with the reason when the sync chain broke', async () => {
    events.answer = () =>
      Promise.reject(new HopFailedError('barista', 'timeout', 'barista did not answer'));

    await expect(place()).rejects.toBeInstanceOf(OrderNotHandedOverError);

    expect(seen.map(({ status, reason }) => [status, reason])).toEqual([
      ['placed', undefined],
      ['failed', 'barista: barista did not answer'],
    ]);
  });

  it('sends each change to every open stream', async () => {
    const other: OrderStatusUpdate[] = [];
    stream.live.subscribe((update) => other.push(update));

    await place('Grace');

    expect(other).toEqual(seen);
    expect(other).toHaveLength(1);
  });

  it('completes open streams when the app shuts down, and later ones at once', async () => {
    const completed = new Promise<void>((resolve) => stream.live.subscribe({ complete: resolve }));

    await moduleRef.close();

    await expect(completed).resolves.toBeUndefined();
    let lateCompleted = false;
    stream.live.subscribe({ complete: () => (lateCompleted = true) });
    expect(lateCompleted).toBe(true);
  });
});
