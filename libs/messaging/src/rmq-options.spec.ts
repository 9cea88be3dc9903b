import { rmqClientOptions, rmqServerOptions } from './rmq-options';

describe('connection names', () => {
  const clientProperties = (options: ReturnType<typeof rmqServerOptions>) =>
    (options.socketOptions as { connectionOptions: { clientProperties: Record<string, string> } })
      .connectionOptions.clientProperties;

  it('name each connection after its namespace, context, role and process', () => {
    const consumer = clientProperties(
      rmqServerOptions({ url: 'amqp://x', namespace: 'shop-1', prefetch: 1 }, 'barista'),
    );
    const publisher = clientProperties(
      rmqClientOptions({ url: 'amqp://x', namespace: 'shop-1' }, 'barista'),
    );

    expect(consumer.connection_name).toMatch(
      new RegExp(`^shop-1/barista/consumer \\S+:${process.pid}$`),
    );
    expect(publisher.connection_name).toMatch(/^shop-1\/barista\/publisher /);
  });

  it('keep Nagle off on every connection', () => {
    const options = rmqClientOptions({ url: 'amqp://x', namespace: 'n' });
    expect(options.socketOptions).toMatchObject({ connectionOptions: { noDelay: true } });
  });
});
