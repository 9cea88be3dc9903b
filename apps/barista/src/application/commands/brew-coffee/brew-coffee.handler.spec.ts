import 'reflect-metadata';
import {
  type BrewStarted,
  type CoffeeBrewed,
  envelope,
  EventTypes,
  type OrderPlaced,
} from '@app/contracts';
import { Logger } from '@nestjs/common';
import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BrewLog } from '../../../domain/brew-log';
import { EspressoMachines } from '../../../domain/espresso-machines';
import { InMemoryBrewLog } from '../../../infrastructure/in-memory-brew-log';
import { BREW_SETTINGS, BrewEvents, type BrewSettings } from '../../ports/brew-events.port';
import { BrewCoffeeCommand } from './brew-coffee.command';
import { BrewCoffeeHandler } from './brew-coffee.handler';

const SETTINGS: BrewSettings = { brewMs: 20, baristaId: 'barista-test', claimLeaseMs: 300 };

/** Records what the barista publishes; `failNextCoffeeBrewed` makes the next publish fail. */
class FakeBrewEvents extends BrewEvents {
  readonly started: BrewStarted[] = [];
  readonly brewed: CoffeeBrewed[] = [];
  failNextCoffeeBrewed?: Error;
  failNextBrewStarted?: Error;
  private announceStart?: (event: BrewStarted) => void;
  /** Resolves with the first BrewStarted published. */
  readonly firstStarted = new Promise<BrewStarted>((resolve) => (this.announceStart = resolve));

  brewStarted(event: BrewStarted): Promise<void> {
    const failure = this.failNextBrewStarted;
    this.failNextBrewStarted = undefined;
    if (failure) return Promise.reject(failure);
    this.started.push(event);
    this.announceStart?.(event);
    return Promise.resolve();
  }

  coffeeBrewed(event: CoffeeBrewed): Promise<void> {
    const failure = this.failNextCoffeeBrewed;
    this.failNextCoffeeBrewed = undefined;
    if (failure) return Promise.reject(failure);
    this.brewed.push(event);
    return Promise.resolve();
  }
}

function orderPlaced(customer = 'Ada'): OrderPlaced {
  return envelope<OrderPlaced>(
    EventTypes.OrderPlaced,
    {
      orderId: randomUUID(),
      customer,
      items: [{ drink: 'cappuccino', size: 'medium', quantity: 1 }],
      placedAt: new Date().toISOString(),
    },
    { correlationId: `corr-${customer}` },
  );
}

describe('BrewCoffeeHandler', () => {
  let moduleRef: TestingModule;
  let commands: CommandBus;
  let events: FakeBrewEvents;
  let log: BrewLog;
  let machines: EspressoMachines;

  beforeAll(() => Logger.overrideLogger(false));

  async function startBar(machineCount: number): Promise<void> {
    events = new FakeBrewEvents();
    machines = new EspressoMachines(machineCount);
    moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [
        BrewCoffeeHandler,
        { provide: EspressoMachines, useValue: machines },
        { provide: BrewLog, useClass: InMemoryBrewLog },
        { provide: BrewEvents, useValue: events },
        { provide: BREW_SETTINGS, useValue: SETTINGS },
      ],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
    log = moduleRef.get(BrewLog);
  }

  afterEach(() => moduleRef.close());

  const brew = (order: OrderPlaced) => commands.execute(new BrewCoffeeCommand(order));

  it('publishes BrewStarted, then CoffeeBrewed, both caused by the order and correlated with it', async () => {
    await startBar(2);
    const order = orderPlaced();

    const brewed = await brew(order);

    expect(events.started).toHaveLength(1);
    const [started] = events.started;
    expect(started).toMatchObject({
      type: EventTypes.BrewStarted,
      correlationId: order.correlationId,
      causationId: order.messageId,
      data: { orderId: order.data.orderId, baristaId: 'barista-test' },
    });
    expect([1, 2]).toContain(started.data.machine);

    expect(events.brewed).toEqual([brewed]);
    expect(brewed).toMatchObject({
      type: EventTypes.CoffeeBrewed,
      correlationId: order.correlationId,
      causationId: order.messageId,
      data: {
        orderId: order.data.orderId,
        baristaId: 'barista-test',
        customer: 'Ada',
        machine: started.data.machine,
        startedAt: started.data.startedAt,
      },
    });
    expect(brewed.messageId).not.toBe(started.messageId);
    expect(brewed.messageId).not.toBe(order.messageId);
    expect(brewed.data.brewedAt >= brewed.data.startedAt).toBe(true);
    expect(machines.busy).toBe(0);
    await expect(log.find(order.data.orderId)).resolves.toEqual(brewed);
  });

  it('answers a repeat of an order that is brewing with that brew, without brewing again', async () => {
    await startBar(2);
    const order = orderPlaced();
    const first = brew(order);
    await events.firstStarted;

    const second = await brew({ ...order });

    expect(second).toEqual(await first);
    expect(events.started).toHaveLength(1);
    expect(events.brewed).toHaveLength(1);
  });

  // Two deliveries of one order in the same tick (a redelivery that lands in the same socket
  // read, or two HTTP retries) must not both pass the "is it brewing?" check.
  it('brews two deliveries of one order that arrive together once, answering both alike', async () => {
    await startBar(2);
    const order = orderPlaced();

    const [first, second] = await Promise.all([brew(order), brew({ ...order })]);

    expect(second).toEqual(first);
    expect(events.started).toHaveLength(1);
    expect(events.brewed).toHaveLength(1);
  });

  it('answers a repeat of a brewed order with the logged CoffeeBrewed, sent again, without brewing', async () => {
    await startBar(1);
    const order = orderPlaced();
    const first = await brew(order);

    const again = await brew(order);

    expect(again).toEqual(first);
    expect(again.messageId).toBe(first.messageId);
    expect(events.started).toHaveLength(1);
    // Sent twice with one message id: the consumers' own records make the second a no-op.
    expect(events.brewed).toEqual([first, first]);
  });

  it('logs the brew with the id of the OrderPlaced message it handled', async () => {
    await startBar(1);
    const order = orderPlaced();

    const brewed = await brew(order);

    expect((log as InMemoryBrewLog).handled).toEqual(new Set([order.messageId]));
    await expect(log.latest(10)).resolves.toEqual({ brews: [brewed], total: 1 });
  });

  it('publishes the brew of record when the log already holds one for the order', async () => {
    await startBar(1);
    const order = orderPlaced();
    const elsewhere = envelope<CoffeeBrewed>(
      EventTypes.CoffeeBrewed,
      {
        orderId: order.data.orderId,
        baristaId: 'barista-other',
        machine: 3,
        startedAt: new Date().toISOString(),
        customer: 'Ada',
        brewedAt: new Date().toISOString(),
      },
      { correlationId: order.correlationId, causationId: order.messageId },
    );
    // Another barista sharing the log records its brew while this one brews.
    void events.firstStarted.then(() => log.record(elsewhere, order.messageId));

    const brewed = await brew(order);

    expect(brewed).toEqual(elsewhere);
    expect(events.brewed).toEqual([elsewhere]);
  });

  it('with one machine, brews the second order only once the first is done', async () => {
    await startBar(1);

    const [first, second] = await Promise.all([
      brew(orderPlaced('Ada')),
      brew(orderPlaced('Grace')),
    ]);

    expect(first.data.machine).toBe(1);
    expect(second.data.machine).toBe(1);
    expect(second.data.startedAt >= first.data.brewedAt).toBe(true);
  });

  it('with two machines, brews two orders side by side on different machines', async () => {
    await startBar(2);

    const [first, second] = await Promise.all([
      brew(orderPlaced('Ada')),
      brew(orderPlaced('Grace')),
    ]);

    expect([first.data.machine, second.data.machine].sort()).toEqual([1, 2]);
    expect(second.data.startedAt < first.data.brewedAt).toBe(true);
  });

  it('logs a brew before publishing it, so a retry after a failed publish sends it without brewing', async () => {
    await startBar(1);
    const order = orderPlaced();
    const brokerDown = new Error('broker did not confirm');
    events.failNextCoffeeBrewed = brokerDown;

    await expect(brew(order)).rejects.toBe(brokerDown);
    const logged = await log.find(order.data.orderId);
    expect(logged).toBeDefined();
    expect(events.brewed).toEqual([]);
    expect(machines.busy).toBe(0);

    const retried = await brew(order);

    expect(retried).toEqual(logged);
    expect(events.started).toHaveLength(1);
    expect(events.brewed).toEqual([logged]);
  });

  it('frees the machine when BrewStarted cannot be published', async () => {
    await startBar(1);
    const order = orderPlaced();
    const brokerDown = new Error('broker did not confirm');
    events.failNextBrewStarted = brokerDown;

    await expect(brew(order)).rejects.toBe(brokerDown);

    expect(machines.busy).toBe(0);
    await expect(brew(order)).resolves.toMatchObject({ data: { orderId: order.data.orderId } });
  });

  it('leaves an order another barista has claimed to it, and sends its brew once logged', async () => {
    await startBar(1);
    const order = orderPlaced();
    await expect(log.claim(order.data.orderId, 'barista-other', 60_000)).resolves.toBe(true);

    const answer = brew(order);
    // The other barista, still holding its claim, logs its brew a little later.
    const elsewhere = envelope<CoffeeBrewed>(
      EventTypes.CoffeeBrewed,
      {
        orderId: order.data.orderId,
        baristaId: 'barista-other',
        machine: 2,
        startedAt: new Date().toISOString(),
        customer: 'Ada',
        brewedAt: new Date().toISOString(),
      },
      { correlationId: order.correlationId, causationId: order.messageId },
    );
    await sleep(SETTINGS.claimLeaseMs / 2);
    expect(events.started).toEqual([]);
    await log.record(elsewhere, order.messageId);

    await expect(answer).resolves.toEqual(elsewhere);
    expect(events.started).toEqual([]);
    expect(events.brewed).toEqual([elsewhere]);
  });

  it('brews an order whose claim lapsed (its barista died) once the lease is over', async () => {
    await startBar(1);
    const order = orderPlaced();
    const claimedAt = Date.now();
    await log.claim(order.data.orderId, 'barista-dead', SETTINGS.claimLeaseMs);

    const brewed = await brew(order);

    expect(events.started).toHaveLength(1);
    expect(Date.parse(events.started[0].occurredAt)).toBeGreaterThanOrEqual(
      claimedAt + SETTINGS.claimLeaseMs,
    );
    expect(brewed.data.baristaId).toBe('barista-test');
    await expect(log.claim(order.data.orderId, 'barista-other', 60_000)).resolves.toBe(false);
  });

  it('keeps renewing its claim while a brew outlasts the lease', async () => {
    events = new FakeBrewEvents();
    const slow = { ...SETTINGS, brewMs: SETTINGS.claimLeaseMs * 3 };
    moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot()],
      providers: [
        BrewCoffeeHandler,
        { provide: EspressoMachines, useValue: new EspressoMachines(1) },
        { provide: BrewLog, useClass: InMemoryBrewLog },
        { provide: BrewEvents, useValue: events },
        { provide: BREW_SETTINGS, useValue: slow },
      ],
    }).compile();
    await moduleRef.init();
    commands = moduleRef.get(CommandBus);
    log = moduleRef.get(BrewLog);
    const order = orderPlaced();

    const answer = brew(order);
    await events.firstStarted;
    await sleep(SETTINGS.claimLeaseMs * 2);
    await expect(log.claim(order.data.orderId, 'barista-other', 60_000)).resolves.toBe(false);

    await answer;
    expect(events.started).toHaveLength(1);
  });
});
