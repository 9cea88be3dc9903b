import type { Channel } from 'amqplib';
import { deleteNamespace, MAX_RETRY_ATTEMPTS, namespaceEntities, SHOP_CONTEXTS } from './topology';

describe('deleteNamespace', () => {
  const fakeChannel = (failOn?: string) => {
    const deleted: string[] = [];
    const remove = (name: string) => {
      if (name === failOn) return Promise.reject(new Error(`cannot delete ${name}`));
      deleted.push(name);
      return Promise.resolve({ messageCount: 0 });
    };
    const channel = { deleteQueue: jest.fn(remove), deleteExchange: jest.fn(remove) };
    return { channel, deleted, asChannel: channel as unknown as Channel };
  };

  it("deletes every context's queue and retry queues, the dead letters, then both exchanges", async () => {
    const { channel, deleted, asChannel } = fakeChannel();

    await deleteNamespace(asChannel, 'ns');

    expect(channel.deleteQueue).toHaveBeenCalledTimes(
      SHOP_CONTEXTS.length * (1 + MAX_RETRY_ATTEMPTS) + 2,
    );
    expect(deleted).toEqual(expect.arrayContaining(['ns.order', 'ns.barista', 'ns.pager']));
    expect(deleted).toContain(`ns.pager.retry.${MAX_RETRY_ATTEMPTS}`);
    expect(deleted).toContain('ns.dead-letters');
    expect(deleted).toContain('ns.unroutable');
    expect(channel.deleteExchange.mock.calls.map(([name]) => name)).toEqual([
      'ns.events',
      'ns.dlx',
      'ns.unroutable',
    ]);
    expect(deleted.slice(-3)).toEqual(['ns.events', 'ns.dlx', 'ns.unroutable']);
  });

  it("deletes only the named contexts' queues (a generated app's)", async () => {
    const { deleted, asChannel } = fakeChannel();

    await deleteNamespace(asChannel, 'ns', ['kitchen']);

    expect(deleted.filter((name) => /^ns\.(order|barista|pager)/.test(name))).toEqual([]);
    expect(deleted).toEqual(
      namespaceEntities('ns', ['kitchen']).queues.concat('ns.events', 'ns.dlx', 'ns.unroutable'),
    );
  });

  it('rejects with the first failure (the broker has closed the channel by then)', async () => {
    const { deleted, asChannel } = fakeChannel('ns.barista');

    await expect(deleteNamespace(asChannel, 'ns')).rejects.toThrow('cannot delete ns.barista');
    expect(deleted).not.toContain('ns.events');
  });
});
