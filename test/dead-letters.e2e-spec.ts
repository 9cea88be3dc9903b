import { type CoffeeBrewed, envelope, EventTypes } from '@app/contracts';
import { DeadLetterHeaders, topology } from '@app/messaging';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { AMQP_URL, Broker } from './support/amqp';
import { BuzzListener, eventually, get } from './support/client';
import { Shop } from './support/shop';
import { ROOT } from './support/spawned-app';

/** `npm run dlq -- <args>` as an operator runs it, against this test's namespace. */
function dlq(
  namespace: string,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return dlqOn(AMQP_URL, namespace, ...args);
}

function dlqOn(
  url: string,
  namespace: string,
  ...args: string[]
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', 'dlq', '--', ...args, '--namespace', namespace], {
      cwd: ROOT,
      env: { ...process.env, AMQP_URL: url, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Listed {
  readonly total: number;
  readonly letters: {
    id: string | null;
    routingKey: string;
    queue: string | null;
    attempts: number | null;
    reason: string;
  }[];
}

interface Death {
  readonly queue: string;
  readonly reason: string;
  readonly count: number;
  readonly 'original-expiration'?: string;
}

const deaths = (headers: Record<string, unknown>) =>
  ((headers['x-death'] ?? []) as Death[]).filter((death) => death.reason === 'expired');

/** The broker's count of how often a letter expired from each retry queue (x-death). */
function expirations(headers: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(deaths(headers).map((death) => [death.queue, death.count]));
}

/** The TTL (ms) the letter waited with in each retry queue, as the broker recorded it. */
function delays(headers: Record<string, unknown>): Record<string, string | undefined> {
  return Object.fromEntries(
    deaths(headers).map((death) => [death.queue, death['original-expiration']]),
  );
}

describe('retries, dead letters and the dlq command (rmq)', () => {
  let shop: Shop;
  let broker: Broker;
  let buzzes: BuzzListener;
  const orderId = randomUUID();
  const brewed = envelope<CoffeeBrewed>(
    EventTypes.CoffeeBrewed,
    {
      orderId,
      baristaId: 'nobody',
      machine: 1,
      startedAt: new Date().toISOString(),
      customer: 'Nobody',
      brewedAt: new Date().toISOString(),
    },
    { correlationId: 'retry-e2e' },
  );

  beforeAll(async () => {
    shop = await Shop.start({ transport: 'rmq', retryAttempts: 2, retryBaseDelayMs: 100 });
    broker = await Broker.connect();
    buzzes = await BuzzListener.follow(shop.pagerUrl);
  });

  afterAll(async () => {
    await buzzes?.close();
    await broker?.close();
    await shop?.close();
  });

  const deadLetters = () => broker.messageCount(topology(shop.namespace).deadLetterQueue);
  const list = async (): Promise<Listed> => {
    const run = await dlq(shop.namespace, 'list', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return JSON.parse(run.stdout) as Listed;
  };

  it('retries a failing handler with growing delays, then dead-letters it with the error and attempts', async () => {
    // Order cannot mark an order it never took as ready: its handler fails every time, while
    // pager, which needs no order, buzzes it at once. A malformed message skips the retries.
    await broker.publishEvent(shop.namespace, brewed);
    await broker.publishRaw(shop.namespace, EventTypes.OrderPlaced, 'not JSON at all', {
      messageId: 'poison-1',
    });

    await eventually('both messages in the dead-letter queue', async () =>
      (await deadLetters()) === 2 ? true : undefined,
    );
    const listed = await list();
    expect(listed.total).toBe(2);
    const failed = listed.letters.find((letter) => letter.id === brewed.messageId);
    const poison = listed.letters.find((letter) => letter.id === 'poison-1');
    expect(failed).toMatchObject({
      routingKey: 'coffee.brewed',
      queue: `${shop.namespace}.order`,
      attempts: 3,
      reason: `handler failed: No order ${orderId}`,
    });
    expect(poison).toMatchObject({
      routingKey: 'order.placed',
      queue: `${shop.namespace}.barista`,
      attempts: 0,
      reason: 'malformed: the body is not JSON',
    });
    expect(buzzes.count(orderId)).toBe(1);

    // Listing took nothing away.
    expect(await deadLetters()).toBe(2);
    const letters = await broker.peekDeadLetters(shop.namespace);
    const failedLetter = letters.find((letter) => letter.body.includes(orderId));
    expect(failedLetter?.headers).toMatchObject({
      [DeadLetterHeaders.Attempts]: 3,
      [DeadLetterHeaders.Error]: `No order ${orderId}`,
      [DeadLetterHeaders.RoutingKey]: 'coffee.brewed',
      [DeadLetterHeaders.Exchange]: topology(shop.namespace).exchange,
    });
    // It waited once in each retry queue before the last attempt, twice as long the second time.
    expect(expirations(failedLetter?.headers ?? {})).toEqual({
      [`${shop.namespace}.order.retry.1`]: 1,
      [`${shop.namespace}.order.retry.2`]: 1,
    });
    expect(delays(failedLetter?.headers ?? {})).toEqual({
      [`${shop.namespace}.order.retry.1`]: '100',
      [`${shop.namespace}.order.retry.2`]: '200',
    });
  });

  it('replays a dead letter to the queue it failed on only, with its attempts reset', async () => {
    const spy = await broker.spy(shop.namespace, [EventTypes.CoffeeBrewed]);
    try {
      const replay = await dlq(shop.namespace, 'replay', brewed.messageId);
      expect(replay.stdout).toContain(
        `replayed ${brewed.messageId}: to ${shop.namespace}.order (coffee.brewed)`,
      );
      expect(replay.code).toBe(0);

      // Still failing, it goes through both retries again (not straight back: the count was
      // reset), and ends in the dead letters once more.
      const back = await eventually('the replayed letter to be dead-lettered again', async () => {
        const letters = await broker.peekDeadLetters(shop.namespace);
        const found = letters.find((letter) => letter.body.includes(orderId));
        return found?.headers['x-replayed-at'] !== undefined ? found : undefined;
      });
      expect(back.headers[DeadLetterHeaders.Attempts]).toBe(3);
      // The replay started its history afresh: one wait in each retry queue since.
      expect(expirations(back.headers)).toEqual({
        [`${shop.namespace}.order.retry.1`]: 1,
        [`${shop.namespace}.order.retry.2`]: 1,
      });
      expect(await deadLetters()).toBe(2);
      // Sent to order's queue, not published to the exchange again: no other subscriber saw it.
      expect(spy.seen).toEqual([]);
      expect(buzzes.count(orderId)).toBe(1);
    } finally {
      await spy.close();
    }
  });

  it('says so when no dead letter has the id, and purges them all', async () => {
    const missing = await dlq(shop.namespace, 'replay', 'no-such-id');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('not replayed no-such-id: no dead letter has message id');
    expect(await deadLetters()).toBe(2);

    const purge = await dlq(shop.namespace, 'purge');
    expect(purge.code).toBe(0);
    expect(purge.stdout).toContain(`purged 2 dead letter(s) from ${shop.namespace}.dead-letters`);
    expect(await deadLetters()).toBe(0);
  });

  it('answers in one line when RabbitMQ is not there', async () => {
    const child = await dlqOn('amqp://guest:guest@127.0.0.1:1', shop.namespace, 'list');
    expect(child.code).toBe(1);
    expect(child.stderr.trim().split('\n')).toHaveLength(1);
    expect(child.stderr).toMatch(
      /^dlq: RabbitMQ is not reachable at amqp:\/\/guest:\*\*\*@127.0.0.1:1/,
    );
  });

  it('still completes a real order afterwards', async () => {
    const placed = await fetch(`${shop.orderUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        customer: 'After',
        items: [{ drink: 'latte', size: 'small', quantity: 1 }],
      }),
    });
    const { id } = (await placed.json()) as { id: string };
    await eventually('the order to be ready', async () =>
      (await get<{ status: string }>(`${shop.orderUrl}/orders/${id}`)).body.status === 'ready'
        ? true
        : undefined,
    );
    expect(await deadLetters()).toBe(0);
  });
});
