import 'reflect-metadata';
import { EventTypes, type OrderPlaced, type PlaceOrderRequest } from '@app/contracts';
import { Logger } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Order } from '../../../domain/order';
import { InMemoryOrderRepository } from '../../../infrastructure/in-memory-order.repository';
import { InProcessOrderStatusFeed } from '../../../infrastructure/in-process-order-status-feed';
import { OrderUnitOfWork } from '../../order-unit-of-work';
import { HopFailedError } from '../../ports/hop-failed.error';
import { type HandOverOutcome, OrderHandOver } from '../../ports/order-hand-over.port';
import { OrderStatusFeed } from '../../ports/order-status-feed.port';
import { OrderRepository } from '../../ports/order.repository';
import { OrderNotHandedOverError, PlaceOrderCommand } from './place-order.command';
import { PlaceOrderHandler } from './place-order.handler';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Hands over with whatever the test sets in `answer`, and notes what the store held then. */
class FakeHandOver extends OrderHandOver {
  readonly handedOver: OrderPlaced[] = [];
  readonly storedWhenHandedOver: (Order | undefined)[] = [];
  answer: (event: OrderPlaced) => Promise<HandOverOutcome> = () => Promise.resolve('queued');

  constructor(private readonly repository: InMemoryOrderRepository) {
    super();
  }

  async handOver(event: OrderPlaced): Promise<HandOverOutcome> {
    this.handedOver.push(event);
    this.storedWhenHandedOver.push(await this.repository.findById(event.data.orderId));
    return this.answer(event);
  }
}

const request: PlaceOrderRequest = {
  customer: ' Grace ',
  items: [{ drink: 'flat-white', size: 'medium', quantity: 1 }],
};

describe('PlaceOrderHandler', () => {
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let repository: InMemoryOrderRepository;
  let events: FakeHandOver;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(async () => {
    repository = new InMemoryOrderRepository();
    events = new FakeHandOver(repository);
    moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [
        PlaceOrderHandler,
        OrderUnitOfWork,
        { provide: OrderRepository, useValue: repository },
        { provide: OrderHandOver, useValue: events },
        { provide: OrderStatusFeed, useClass: InProcessOrderStatusFeed },
      ],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
  });

  afterEach(() => moduleRef.close());

  const place = (correlationId = 'corr-42') =>
    commands.execute(new PlaceOrderCommand(request, correlationId));

  it('saves the order before handing it over, and answers it placed', async () => {
    const order = await place();

    expect(order).toMatchObject({ customer: 'Grace', status: 'placed' });
    expect(order.id).toMatch(UUID);
    expect(events.storedWhenHandedOver[0]?.id).toBe(order.id);
    expect(repository.saved).toEqual(['placed']);
  });

  it('answers the order as the sync chain left it', async () => {
    events.answer = async (event) => {
      await markReady(event);
      return 'done';
    };

    const order = await place();

    expect(order.status).toBe('ready');
    expect(order.history.map((change) => change.status)).toEqual(['placed', 'brewing', 'ready']);
  });

  it('answers a queued order as stored, whatever its consumers did meanwhile', async () => {
    events.answer = async (event) => {
      await markReady(event);
      return 'queued';
    };

    const order = await place();

    expect(order.status).toBe('placed');
    expect((await repository.findById(order.id))?.status).toBe('ready');
  });

  /** What the chain or a consumer does to the stored order: brewed and ready. */
  function markReady(event: OrderPlaced): Promise<void> {
    return repository.transaction(async (tx) => {
      const order = await tx.findById(event.data.orderId);
      order!.markReady(new Date().toISOString(), new Date().toISOString());
      await tx.save(order!, []);
    });
  }

  it('hands over an OrderPlaced envelope for this order and correlation id', async () => {
    const order = await place('corr-abc');

    expect(events.handedOver).toHaveLength(1);
    const [event] = events.handedOver;
    expect(event.messageId).toMatch(UUID);
    expect(event.type).toBe(EventTypes.OrderPlaced);
    expect(event.correlationId).toBe('corr-abc');
    expect(event.causationId).toBeUndefined();
    expect(event.occurredAt).toBe(order.history[0].at);
    expect(event.data).toEqual({
      orderId: order.id,
      customer: 'Grace',
      items: [{ drink: 'flat-white', size: 'medium', quantity: 1 }],
      placedAt: order.history[0].at,
    });
  });

  it('stores the OrderPlaced it hands over with the order, in the same save', async () => {
    await place();

    expect(repository.outbox).toEqual(events.handedOver);
    expect(repository.saved).toEqual(['placed']);
  });

  it('gives every order its own id and message id', async () => {
    const first = await place();
    const second = await place();

    expect(first.id).not.toBe(second.id);
    expect(events.handedOver[0].messageId).not.toBe(events.handedOver[1].messageId);
  });

  it('saves the order as failed and throws OrderNotHandedOverError when a hop fails', async () => {
    const hopFailure = new HopFailedError('barista', 'timeout', 'barista did not answer');
    events.answer = () => Promise.reject(hopFailure);

    const error: unknown = await place().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(OrderNotHandedOverError);
    const notHandedOver = error as OrderNotHandedOverError;
    expect(notHandedOver.cause).toBe(hopFailure);
    expect(notHandedOver.message).toBe('barista did not answer');
    expect(notHandedOver.order.status).toBe('failed');
    expect(notHandedOver.order.history.at(-1)).toMatchObject({
      status: 'failed',
      reason: 'barista: barista did not answer',
    });
    const stored = await repository.findById(notHandedOver.order.id);
    expect(stored?.status).toBe('failed');
    expect(repository.saved).toEqual(['placed', 'failed']);
  });

  it('lets any other error through unchanged, without marking the order failed', async () => {
    const bug = new TypeError('something else broke');
    events.answer = () => Promise.reject(bug);

    await expect(place()).rejects.toBe(bug);

    expect(repository.saved).toEqual(['placed']);
    const { orders } = await repository.list({ limit: 10 });
    expect(orders.map((order) => order.status)).toEqual(['placed']);
  });
});
