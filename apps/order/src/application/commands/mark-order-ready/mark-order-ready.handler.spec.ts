import 'reflect-metadata';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { Order } from '../../../domain/order';
import { InMemoryOrderRepository } from '../../../infrastructure/in-memory-order.repository';
import { InProcessOrderStatusFeed } from '../../../infrastructure/in-process-order-status-feed';
import { BREWED_AT, coffeeBrewed, STARTED_AT } from '../../../testing/barista-events';
import { OrderUnitOfWork } from '../../order-unit-of-work';
import { OrderStatusFeed } from '../../ports/order-status-feed.port';
import { OrderNotFoundError, OrderRepository } from '../../ports/order.repository';
import { MarkOrderReadyCommand } from './mark-order-ready.command';
import { MarkOrderReadyHandler } from './mark-order-ready.handler';

const PLACED_AT = '2025-01-01T10:00:00.000Z';

describe('MarkOrderReadyHandler', () => {
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let repository: InMemoryOrderRepository;
  let order: Order;

  beforeEach(async () => {
    repository = new InMemoryOrderRepository();
    order = Order.place({
      id: randomUUID(),
      customer: 'Ada',
      items: [{ drink: 'espresso', size: 'small', quantity: 1 }],
      correlationId: 'corr-1',
      at: new Date(PLACED_AT),
    });
    repository.put(order);
    moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [
        MarkOrderReadyHandler,
        OrderUnitOfWork,
        { provide: OrderRepository, useValue: repository },
        { provide: OrderStatusFeed, useClass: InProcessOrderStatusFeed },
      ],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
  });

  afterEach(() => moduleRef.close());

  it('marks the stored order ready, with brewing and ready at the brew times', async () => {
    await commands.execute(new MarkOrderReadyCommand(coffeeBrewed(order.id)));

    const stored = await repository.findById(order.id);
    expect(stored?.status).toBe('ready');
    expect(stored?.history).toEqual([
      { status: 'placed', at: PLACED_AT },
      { status: 'brewing', at: STARTED_AT },
      { status: 'ready', at: BREWED_AT },
    ]);
    expect(repository.saved).toHaveLength(1);
    expect(repository.outbox).toEqual([]);
  });

  it('changes nothing when told again (a redelivery)', async () => {
    const event = coffeeBrewed(order.id);
    await commands.execute(new MarkOrderReadyCommand(event));
    await commands.execute(new MarkOrderReadyCommand(event));
    await commands.execute(new MarkOrderReadyCommand(coffeeBrewed(order.id)));

    expect(repository.saved).toHaveLength(1);
    expect((await repository.findById(order.id))?.history).toHaveLength(3);
  });

  it('records the message as handled, and does nothing at all for it again', async () => {
    const event = coffeeBrewed(order.id);
    await commands.execute(new MarkOrderReadyCommand(event));
    expect(repository.hasHandled(event.messageId)).toBe(true);
    const reads = jest.spyOn(repository, 'findById');

    await commands.execute(new MarkOrderReadyCommand(event));

    expect(reads).not.toHaveBeenCalled();
    expect(repository.saved).toHaveLength(1);
  });

  it('throws OrderNotFoundError for an order it does not know, recording nothing', async () => {
    const unknown = randomUUID();
    const event = coffeeBrewed(unknown);

    const error: unknown = await commands
      .execute(new MarkOrderReadyCommand(event))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OrderNotFoundError);
    expect((error as OrderNotFoundError).orderId).toBe(unknown);
    expect(repository.saved).toHaveLength(0);
    expect(repository.hasHandled(event.messageId)).toBe(false);
  });
});
