import { Order } from '../../domain/order';
import { toOrderView } from './order.view';

const T0 = '2025-01-01T10:00:00.000Z';
const T1 = '2025-01-01T10:00:01.000Z';

describe('toOrderView', () => {
  it('returns a snapshot: changing it or the order later does not affect the other', () => {
    const order = Order.place({
      id: 'order-1',
      customer: 'Ada',
      items: [{ drink: 'latte', size: 'large', quantity: 2 }],
      correlationId: 'corr-1',
      at: new Date(T0),
    });
    const before = toOrderView(order);

    (before.history as unknown[]).push({ status: 'ready', at: T1 });
    (before.items as unknown[]).pop();
    expect(toOrderView(order)).toEqual({
      id: 'order-1',
      customer: 'Ada',
      items: [{ drink: 'latte', size: 'large', quantity: 2 }],
      status: 'placed',
      history: [{ status: 'placed', at: T0 }],
      correlationId: 'corr-1',
    });

    const snapshot = toOrderView(order);
    order.startBrewing(T1);
    expect(snapshot.status).toBe('placed');
    expect(snapshot.history).toHaveLength(1);
  });
});
