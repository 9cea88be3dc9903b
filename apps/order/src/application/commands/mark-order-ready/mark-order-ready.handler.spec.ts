import 'reflect-metadata';
import { type CoffeeBrewed, envelope, EventTypes } from '@app/contracts';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { Order } from '../../../domain/order';
import { OrderNotFoundError, OrderRepository } from '../../../domain/order.repository';
import { MarkOrderReadyCommand } from './mark-order-ready.command';
import { MarkOrderReadyHandler } from './mark-order-ready.handler';

const PLACED_AT = '2025-01-01T10:00:00.000Z';
const STARTED_AT = '2025-01-01T10:00:01.000Z';
const BREWED_AT = '2025-01-01T10:00:03.000Z';

class FakeOrderRepository extends OrderRepository {
  readonly orders = new Map<string, Order>();
  saves = 0;

  save(order: Order): Promise<void> {
    this.orders.set(order.id, order);
    this.saves++;
    return Promise.resolve();
  }

  findById(id: string): Promise<Order | undefined> {
    return Promise.resolve(this.orders.get(id));
  }

  list(): Promise<{ orders: Order[]; total: number }> {
    return Promise.reject(new Error('not used here'));
  }
}

function coffeeBrewed(orderId: string): CoffeeBrewed {
  return envelope<CoffeeBrewed>(
    EventTypes.CoffeeBrewed,
    {
      orderId,
      baristaId: 'barista-1',
      machine: 1,
      startedAt: STARTED_AT,
      customer: 'Ada',
      brewedAt: BREWED_AT,
    },
    { correlationId: 'corr-1', causationId: randomUUID() },
  );
}

describe('MarkOrderReadyHandler', () => {
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let repository: FakeOrderRepository;
  let order: Order;

  beforeEach(async () => {
    repository = new FakeOrderRepository();
    order = Order.place({
      id: randomUUID(),
      customer: 'Ada',
      items: [{ drink: 'espresso', size: 'small', quantity: 1 }],
      correlationId: 'corr-1',
      at: new Date(PLACED_AT),
    });
    repository.orders.set(order.id, order);
    moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [MarkOrderReadyHandler, { provide: OrderRepository, useValue: repository }],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
  });

  afterEach(() => moduleRef.close());

  it('marks the stored order ready, with brewing and ready at the brew times', async () => {
    await commands.execute(new MarkOrderReadyCommand(coffeeBrewed(order.id)));

    const stored = await repository.findById(order.id);
    expect(stored?.view()).toMatchObject({
      status: 'ready',
      history: [
        { status: 'placed', at: PLACED_AT },
        { status: 'brewing', at: STARTED_AT },
        { status: 'ready', at: BREWED_AT },
      ],
    });
    expect(repository.saves).toBe(1);
  });

  it('changes nothing when told again (a redelivery)', async () => {
    const event = coffeeBrewed(order.id);
    await commands.execute(new MarkOrderReadyCommand(event));
    await commands.execute(new MarkOrderReadyCommand(event));
    await commands.execute(new MarkOrderReadyCommand(coffeeBrewed(order.id)));

    expect(repository.saves).toBe(1);
    expect(order.view().history).toHaveLength(3);
  });

  it('throws OrderNotFoundError for an order it does not know', async () => {
    const unknown = randomUUID();

    const error: unknown = await commands
      .execute(new MarkOrderReadyCommand(coffeeBrewed(unknown)))
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OrderNotFoundError);
    expect((error as OrderNotFoundError).orderId).toBe(unknown);
    expect(repository.saves).toBe(0);
  });
});
