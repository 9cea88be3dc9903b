import {
  clusterInfo,
  erlangBinary,
  clusterNode,
  clusterNodes,
  nodeConfig,
  nodeEnv,
  nodeFiles,
} from './cluster';

describe('the local RabbitMQ cluster', () => {
  it('has three nodes on their own names and ports, none of the machine broker', () => {
    expect(clusterNodes.map((node) => [node.name, node.amqpPort, node.distPort])).toEqual([
      ['shop1@localhost', 5681, 25681],
      ['shop2@localhost', 5682, 25682],
      ['shop3@localhost', 5683, 25683],
    ]);
    expect(clusterInfo().amqpUrl).toBe(
      'amqp://guest:guest@127.0.0.1:5681,amqp://guest:guest@127.0.0.1:5682,amqp://guest:guest@127.0.0.1:5683',
    );
  });

  it('pins each node listener to loopback and its own port', () => {
    const config = nodeConfig(clusterNode('shop2'));
    expect(config).toContain('listeners.tcp.local = 127.0.0.1:5682\n');
    expect(config).not.toContain('5672');
  });

  it('has the other nodes join the first at their first boot, and the first join nobody', () => {
    const join = /^cluster_formation\.classic_config\.nodes\.\d+ = (.+)$/gm;
    expect([...nodeConfig(clusterNode('shop1')).matchAll(join)]).toEqual([]);
    for (const node of ['shop2', 'shop3']) {
      const config = nodeConfig(clusterNode(node));
      expect(config).toContain('cluster_formation.peer_discovery_backend = classic_config\n');
      expect([...config.matchAll(join)].map((match) => match[1])).toEqual(['shop1@localhost']);
    }
  });

  it('gives each node its own name, ports, folders and no plugins', () => {
    const env = nodeEnv('/data', clusterNode('3'));
    expect(env).toMatchObject({
      RABBITMQ_NODENAME: 'shop3@localhost',
      RABBITMQ_NODE_PORT: '5683',
      RABBITMQ_DIST_PORT: '25683',
      RABBITMQ_CONFIG_FILE: '/data/shop3/rabbitmq.conf',
      RABBITMQ_CONF_ENV_FILE: '/data/shop3/rabbitmq-env.conf',
      RABBITMQ_ENABLED_PLUGINS_FILE: '/data/shop3/enabled_plugins',
      RABBITMQ_MNESIA_BASE: '/data/shop3/mnesia',
      RABBITMQ_LOG_BASE: '/data/shop3/log',
    });
    const files = nodeFiles('/data', clusterNode('shop3@localhost'));
    expect(files[env.RABBITMQ_ENABLED_PLUGINS_FILE]).toBe('[].\n');
    expect(files[env.RABBITMQ_CONFIG_FILE]).toContain('127.0.0.1:5683');
    // Every path the node reads or writes lies under its own folder.
    for (const [key, value] of Object.entries(env)) {
      if (value.startsWith('/'))
        expect([key, value.startsWith('/data/shop3/')]).toEqual([key, true]);
    }
  });

  it('names the nodes it knows when asked for another', () => {
    expect(() => clusterNode('rabbit@localhost')).toThrow(/shop1@localhost, shop2@localhost/);
    expect(() => clusterNode('4')).toThrow(/no cluster node "4"/);
  });
});

describe('erlangBinary', () => {
  it('spells any queue name as bytes, so no quote in it can break the expression', () => {
    expect(erlangBinary('a"b')).toBe('list_to_binary([97,34,98])');
    expect(erlangBinary('é')).toBe('list_to_binary([195,169])');
  });
});
