import type { Channel } from 'amqplib';
import { declarePatiently } from './declare-patiently';

const SETTINGS = { namespace: 't', queueType: 'quorum', deliveryLimit: 5, retries: 0 } as const;

/** Channels whose first queue declaration fails with `errors`, in turn, then succeed. */
function connectionFailingWith(...errors: Error[]) {
  const channels: { closed: boolean }[] = [];
  const connection = {
    createChannel: jest.fn(() => {
      const failure = errors.shift();
      const state = { closed: false };
      channels.push(state);
      const ok = () => Promise.resolve({});
      return Promise.resolve({
        on: jest.fn(),
        assertExchange: ok,
        bindQueue: ok,
        assertQueue: jest.fn(() => (failure ? Promise.reject(failure) : ok())),
        close: jest.fn(() => {
          state.closed = true;
          return Promise.resolve();
        }),
      } as unknown as Channel);
    }),
  };
  return { connection, channels };
}

const notFound = Object.assign(new Error("NOT_FOUND - home node 'a@b' of durable queue 'q'"), {
  code: 404,
});

describe('declarePatiently', () => {
  it('declares again on a new channel until the broker accepts, telling each failure', async () => {
    const { connection, channels } = connectionFailingWith(notFound, notFound);
    const retried: unknown[] = [];
    await declarePatiently(connection, SETTINGS, {
      delayMs: 1,
      stillCurrent: () => true,
      onRetry: (error) => retried.push(error),
    });
    expect(connection.createChannel).toHaveBeenCalledTimes(3);
    expect(retried).toEqual([notFound, notFound]);
    // The channel that succeeded is closed: it was only for the declaration.
    expect(channels[2].closed).toBe(true);
  });

  it('never retries PRECONDITION_FAILED: arguments that disagree stay wrong', async () => {
    const refused = Object.assign(new Error('PRECONDITION_FAILED - inequivalent arg'), {
      code: 406,
    });
    const { connection } = connectionFailingWith(refused);
    await expect(
      declarePatiently(connection, SETTINGS, { delayMs: 1, stillCurrent: () => true }),
    ).rejects.toBe(refused);
    expect(connection.createChannel).toHaveBeenCalledTimes(1);
  });

  it('gives up once its connection is no longer the current one', async () => {
    const { connection } = connectionFailingWith(notFound, notFound, notFound);
    let current = true;
    await expect(
      declarePatiently(connection, SETTINGS, {
        delayMs: 1,
        stillCurrent: () => current,
        onRetry: () => (current = false),
      }),
    ).rejects.toBe(notFound);
    expect(connection.createChannel).toHaveBeenCalledTimes(2);
  });
});
