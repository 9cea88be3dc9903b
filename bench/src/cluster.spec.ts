import { ClusterProvider, urlsAvoiding, type ClusterApi } from './cluster';

const NODES = ['shop1@localhost', 'shop2@localhost', 'shop3@localhost'];
const URLS = ['amqp://a:5681', 'amqp://a:5682', 'amqp://a:5683'];

/** A cluster that records what was asked of it; `running` is what runs before the bench starts it. */
function fakeApi(running: string[]) {
  const calls: string[] = [];
  const api: ClusterApi = {
    startCluster: () => {
      calls.push('startCluster');
      return Promise.resolve({ nodes: NODES, urls: URLS, amqpUrl: URLS.join(',') });
    },
    stopCluster: () => {
      calls.push('stopCluster');
      return Promise.resolve();
    },
    stopApp: (node) => (calls.push(`stopApp ${node}`), Promise.resolve()),
    startApp: (node) => (calls.push(`startApp ${node}`), Promise.resolve()),
    killNode: (node) => (calls.push(`killNode ${node}`), Promise.resolve()),
    startNode: (node) => (calls.push(`startNode ${node}`), Promise.resolve()),
    queueLeader: () => Promise.resolve(NODES[0]),
    runningNodes: () => Promise.resolve(running),
  };
  return { api, calls };
}

describe('urlsAvoiding', () => {
  it('puts the node taken away last, the survivors in their order first', () => {
    expect(urlsAvoiding({ nodes: NODES, urls: URLS }, NODES[0])).toBe(
      'amqp://a:5682,amqp://a:5683,amqp://a:5681',
    );
    expect(urlsAvoiding({ nodes: NODES, urls: URLS }, NODES[2])).toBe(URLS.join(','));
    expect(() => urlsAvoiding({ nodes: NODES, urls: URLS }, 'rabbit@localhost')).toThrow(
      /not a node of the cluster/,
    );
  });
});

describe('ClusterProvider', () => {
  it('starts the cluster once, on first use, and stops it at the end when it started it', async () => {
    const { api, calls } = fakeApi([]);
    const provider = new ClusterProvider(api);
    expect(await provider.close()).toEqual([]);
    expect(calls).toEqual([]);
    const [first, second] = await Promise.all([provider.get(), provider.get()]);
    expect(first).toBe(second);
    expect(first.amqpUrl).toBe(URLS.join(','));
    expect(provider.owed()).toEqual({ nodes: [], stopCluster: true });
    expect(await provider.close()).toEqual([]);
    expect(calls).toEqual(['startCluster', 'stopCluster']);
  });

  it('leaves a cluster that already ran as it found it', async () => {
    const { api, calls } = fakeApi(NODES);
    const provider = new ClusterProvider(api);
    await provider.get();
    expect(provider.owed().stopCluster).toBe(false);
    await provider.close();
    expect(calls).toEqual(['startCluster']);
  });

  it('remembers the nodes taken away until they are started again, and starts them at the end', async () => {
    const { api, calls } = fakeApi(NODES);
    const provider = new ClusterProvider(api);
    const cluster = await provider.get();
    await cluster.stopApp(NODES[0]);
    await cluster.killNode(NODES[1]);
    expect(provider.owed().nodes).toEqual([
      { node: NODES[0], killed: false },
      { node: NODES[1], killed: true },
    ]);
    await cluster.startApp(NODES[0]);
    expect(provider.owed().nodes).toEqual([{ node: NODES[1], killed: true }]);
    await provider.close();
    expect(calls.slice(-1)).toEqual([`startNode ${NODES[1]}`]);
    expect(provider.owed().nodes).toEqual([]);
  });

  it('reports a cluster that would not start to every scenario that asks, and closes quietly', async () => {
    const { api } = fakeApi([]);
    const provider = new ClusterProvider({
      ...api,
      startCluster: () => Promise.reject(new Error('node shop2 did not boot')),
    });
    await expect(provider.get()).rejects.toThrow('did not boot');
    await expect(provider.get()).rejects.toThrow('did not boot');
    expect(await provider.close()).toEqual([]);
  });
});
