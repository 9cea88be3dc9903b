import { ReplaySubject } from 'rxjs';
import { BrokerHealthCheck } from './broker-health';
import type { ConsumerControl, ConsumerState } from './consumer-control';
import type { ShopRmqClient } from './shop-rmq.client';

describe('BrokerHealthCheck', () => {
  const check = (consumer: ConsumerState) => {
    const status = new ReplaySubject<string>(1);
    const health = new BrokerHealthCheck(
      { state: consumer } as ConsumerControl,
      { status } as unknown as ShopRmqClient,
    );
    return { health, status };
  };

  it('is up while consuming, with a publisher not yet used or connected', () => {
    const { health, status } = check('consuming');
    expect(health.check()).toEqual({ status: 'up', consumer: 'consuming', publisher: 'idle' });

    status.next('connected');
    expect(health.check()).toEqual({ status: 'up', consumer: 'consuming', publisher: 'connected' });
  });

  it.each<[ConsumerState, string]>([
    ['connecting', 'connected'],
    ['stopped', 'connected'],
    ['consuming', 'disconnected'],
    ['consuming', 'blocked'],
  ])('is down when the consumer is %s and the publisher %s', (consumer, publisher) => {
    const { health, status } = check(consumer);
    status.next(publisher);

    expect(health.check()).toMatchObject({ status: 'down', consumer, publisher });
  });

  it('is up again once the publisher has reconnected', () => {
    const { health, status } = check('consuming');
    status.next('disconnected');
    status.next('connected');

    expect(health.check().status).toBe('up');
  });
});
