import type { IntegrationEvent } from '@app/contracts';
import { Logger } from '@nestjs/common';
import { Outbox, outboxSchema } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { SqliteDatabase } from './sqlite-database';
import { anEvent } from './testing/events';
import { tempDir } from './testing/temp-dir';

/** A broker stand-in: confirms, or refuses while `down`, and records what it confirmed. */
class FakeBroker {
  readonly confirmed: IntegrationEvent[] = [];
  attempts = 0;
  down = false;
  /** Publishes wait for this before confirming, when set. */
  gate: Promise<void> | undefined;

  readonly publish = async (event: IntegrationEvent): Promise<void> => {
    this.attempts += 1;
    await this.gate;
    if (this.down) throw new Error('the broker did not confirm order.placed');
    this.confirmed.push(event);
  };
}

async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('OutboxRelay', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: SqliteDatabase;
  let outbox: Outbox;
  let broker: FakeBroker;
  let relay: OutboxRelay;

  beforeAll(() => Logger.overrideLogger(false));

  beforeEach(() => {
    dir = tempDir();
    db = SqliteDatabase.open({ path: dir.file('order.sqlite'), migrations: [outboxSchema] });
    outbox = new Outbox(db);
    broker = new FakeBroker();
    relay = new OutboxRelay(outbox, broker.publish, { retryMs: 5, maxRetryMs: 20 });
  });

  afterEach(async () => {
    await relay.stop();
    db.close();
    dir.remove();
  });

  const customers = (events: IntegrationEvent[]) =>
    events.map((event) => (event.data as { customer: string }).customer);

  it('on start, publishes what an earlier process stored but never published', async () => {
    ['a', 'b', 'c'].forEach((customer) => outbox.add(anEvent(customer)));

    relay.onApplicationBootstrap();
    await relay.idle();

    expect(customers(broker.confirmed)).toEqual(['a', 'b', 'c']);
    expect(outbox.size).toBe(0);
  });

  it('publishes right after a poke, and pokes of one tick share one pass', async () => {
    relay.start();
    await relay.idle();
    const pending = jest.spyOn(outbox, 'pending');

    for (const customer of ['a', 'b', 'c']) {
      outbox.add(anEvent(customer));
      relay.poke();
    }
    await relay.idle();

    expect(customers(broker.confirmed)).toEqual(['a', 'b', 'c']);
    expect(outbox.size).toBe(0);
    // One read that found the three, one that found the outbox empty.
    expect(pending).toHaveBeenCalledTimes(2);
  });

  it('publishes what was added while a pass was waiting for confirms', async () => {
    relay.start();
    let confirm: () => void = () => undefined;
    broker.gate = new Promise((resolve) => (confirm = resolve));
    outbox.add(anEvent('first'));
    relay.poke();
    await eventually(() => broker.attempts === 1, 'the first publish');

    outbox.add(anEvent('second'));
    relay.poke();
    confirm();
    broker.gate = undefined;
    await eventually(() => broker.confirmed.length === 2, 'both confirms');
    await relay.idle();

    expect(customers(broker.confirmed)).toEqual(['first', 'second']);
    expect(outbox.size).toBe(0);
  });

  it('keeps events the broker did not confirm and publishes them once it is back', async () => {
    broker.down = true;
    relay.start();
    outbox.add(anEvent('during the outage'));
    relay.poke();
    await eventually(() => broker.attempts >= 3, 'a few retries');
    expect(outbox.size).toBe(1);
    expect(broker.confirmed).toEqual([]);

    broker.down = false;
    await eventually(() => outbox.size === 0, 'the outbox to drain');
    expect(customers(broker.confirmed)).toEqual(['during the outage']);
  });

  it('removes only the confirmed events of a batch', async () => {
    let calls = 0;
    const flaky = async (event: IntegrationEvent) => {
      calls += 1;
      if (calls === 2) throw new Error('nacked');
      await broker.publish(event);
    };
    relay = new OutboxRelay(outbox, flaky, { retryMs: 5 });
    ['a', 'b', 'c'].forEach((customer) => outbox.add(anEvent(customer)));

    relay.start();
    await eventually(() => outbox.size === 0, 'the retry of the nacked one');

    expect(customers(broker.confirmed).sort()).toEqual(['a', 'b', 'c']);
    expect(calls).toBe(4);
  });

  it('on stop, waits for the pass in flight and leaves the rest for the next start', async () => {
    broker.down = true;
    relay.start();
    outbox.add(anEvent('left'));
    relay.poke();
    await eventually(() => broker.attempts >= 1, 'a failed attempt');

    await relay.stop();
    const attempts = broker.attempts;
    relay.poke();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(broker.attempts).toBe(attempts);
    expect(outbox.size).toBe(1);

    broker.down = false;
    const next = new OutboxRelay(outbox, broker.publish);
    next.onApplicationBootstrap();
    await next.idle();
    expect(customers(broker.confirmed)).toEqual(['left']);
  });
});
