import 'reflect-metadata';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { Order } from '../../../domain/order';
import { InMemoryOrderRepository } from '../../../infrastructure/in-memory-order.repository';
import { InProcessOrderStatusFeed } from '../../../infrastructure/in-process-order-status-feed';
import { brewStarted, STARTED_AT } from '../../../testing/barista-events';
import { OrderUnitOfWork } from '../../order-unit-of-work';
import { OrderStatusFeed } from '../../ports/order-status-feed.port';
import { OrderNotFoundError, OrderRepository } from '../../ports/order.repository';
import { RecordBrewStartedCommand } from './record-brew-started.command';
import { RecordBrewStartedHandler } from './record-brew-started.handler';

const PLACED_AT = '2025-01-01T10:00:00.000Z';

describe('RecordBrewStartedHandler', () => {
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let repository: InMemoryOrderRepository;
  let order: Order;

  beforeEach(async () => {
    repository = new InMemoryOrderRepository();
    order = Order.place({
      id: randomUUID(),
      customer: 'Ada',
      items: [{ drink: 'mocha', size: 'large', quantity: 3 }],
      correlationId: 'corr-1',
      at: new Date(PLACED_AT),
    });
    repository.put(order);
    moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [
        RecordBrewStartedHandler,
        OrderUnitOfWork,
        { provide: OrderRepository, useValue: repository },
        { provide: OrderStatusFeed, useClass: InProcessOrderStatusFeed },
      ],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
  });

  afterEach(() => moduleRef.close());

  it('marks the stored order brewing at the time brewing started', async () => {
    await commands.execute(new RecordBrewStartedCommand(brewStarted(order.id)));

    const stored = await repository.findById(order.id);
    expect(stored?.status).toBe('brewing');
    expect(stored?.history).toEqual([
      { status: 'placed', at: PLACED_AT },
      { status: 'brewing', at: STARTED_AT },
    ]);
    expect(repository.saved).toHaveLength(1);
  });

  it('changes nothing when told again, even with another time', async () => {
    const event = brewStarted(order.id);
    await commands.execute(new RecordBrewStartedCommand(event));
    await commands.execute(new RecordBrewStartedCommand(event));
    await commands.execute(
      new RecordBrewStartedCommand(brewStarted(order.id, '2025-01-01T10:00:02.000Z')),
    );

    expect(repository.saved).toHaveLength(1);
    const stored = await repository.findById(order.id);
    expect(stored?.history.map((change) => change.at)).toEqual([PLACED_AT, STARTED_AT]);
  });

  it('does not move a ready order back to brewing when BrewStarted arrives late', async () => {
    order.markReady(STARTED_AT, '2025-01-01T10:00:03.000Z');
    repository.put(order);

    await commands.execute(new RecordBrewStartedCommand(brewStarted(order.id)));

    const stored = await repository.findById(order.id);
    expect(stored?.status).toBe('ready');
    expect(stored?.history).toHaveLength(3);
    expect(repository.saved).toHaveLength(0);
  });

  it('records the message as handled, and does nothing at all for it again', async () => {
    const event = brewStarted(order.id);
    await commands.execute(new RecordBrewStartedCommand(event));
    expect(repository.hasHandled(event.messageId)).toBe(true);
    const reads = jest.spyOn(repository, 'findById');

    await commands.execute(new RecordBrewStartedCommand(event));

    expect(reads).not.toHaveBeenCalled();
    expect(repository.saved).toHaveLength(1);
  });

  it('throws OrderNotFoundError for an order it does not know', async () => {
    const unknown = randomUUID();

    const error: unknown = await commands
      .execute(new RecordBrewStartedCommand(brewStarted(unknown)))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OrderNotFoundError);
    expect((error as OrderNotFoundError).orderId).toBe(unknown);
    expect(repository.saved).toHaveLength(0);
  });
});
