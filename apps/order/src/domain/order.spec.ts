import type { LineItem } from '@app/contracts';
import { Order } from './order';

const T0 = '2025-01-01T10:00:00.000Z';
const T1 = '2025-01-01T10:00:01.000Z';
const T2 = '2025-01-01T10:00:02.000Z';
const T3 = '2025-01-01T10:00:03.000Z';
const T4 = '2025-01-01T10:00:04.000Z';

function placeOrder(items: LineItem[] = [{ drink: 'latte', size: 'large', quantity: 2 }]): Order {
  return Order.place({
    id: 'order-1',
    customer: '  Ada  ',
    items,
    correlationId: 'corr-1',
    at: new Date(T0),
  });
}

const statuses = (order: Order) => order.history.map((change) => change.status);
const times = (order: Order) => order.history.map((change) => change.at);
const state = ({ id, customer, items, status, history, correlationId }: Order) => ({
  id,
  customer,
  items,
  status,
  history,
  correlationId,
});

describe('Order', () => {
  it('is placed with a trimmed customer, a copy of the items and one history entry', () => {
    const items: LineItem[] = [{ drink: 'latte', size: 'large', quantity: 2 }];
    const order = placeOrder(items);
    items.push({ drink: 'mocha', size: 'small', quantity: 1 });

    expect(state(order)).toEqual({
      id: 'order-1',
      customer: 'Ada',
      items: [{ drink: 'latte', size: 'large', quantity: 2 }],
      status: 'placed',
      history: [{ status: 'placed', at: T0 }],
      correlationId: 'corr-1',
    });
    expect(order.placedAt).toBe(T0);
  });

  it('goes placed → brewing → ready', () => {
    const order = placeOrder();

    expect(order.startBrewing(T1)).toBe(true);
    expect(order.status).toBe('brewing');
    expect(order.markReady(T1, T2)).toBe(true);
    expect(order.status).toBe('ready');
    expect(order.history).toEqual([
      { status: 'placed', at: T0 },
      { status: 'brewing', at: T1 },
      { status: 'ready', at: T2 },
    ]);
  });

  it('records ready that arrives before brewing once, with brewing at its own time', () => {
    const order = placeOrder();

    expect(order.markReady(T1, T2)).toBe(true);
    expect(order.startBrewing(T1)).toBe(false);

    expect(order.status).toBe('ready');
    expect(statuses(order)).toEqual(['placed', 'brewing', 'ready']);
    expect(times(order)).toEqual([T0, T1, T2]);
  });

  it('records a repeated change once and says it was known', () => {
    const order = placeOrder();

    expect(order.startBrewing(T1)).toBe(true);
    expect(order.startBrewing(T1)).toBe(false);
    expect(order.startBrewing(T2)).toBe(false);
    expect(order.markReady(T1, T3)).toBe(true);
    expect(order.markReady(T1, T3)).toBe(false);

    expect(statuses(order)).toEqual(['placed', 'brewing', 'ready']);
    expect(times(order)).toEqual([T0, T1, T3]);
  });

  it('keeps the history sorted by time whatever order the changes arrive in', () => {
    const order = placeOrder();

    order.markFailed(new Date(T4), 'pager: timeout');
    order.markReady(T2, T3);

    expect(times(order)).toEqual([T0, T2, T3, T4]);
    expect(statuses(order)).toEqual(['placed', 'brewing', 'ready', 'failed']);
    expect(order.history[3]).toEqual({
      status: 'failed',
      at: T4,
      reason: 'pager: timeout',
    });
  });

  it('is failed when the chain broke before the coffee was ready', () => {
    const placed = placeOrder();
    placed.markFailed(new Date(T1), 'barista: timeout');
    expect(placed.status).toBe('failed');

    const brewing = placeOrder();
    brewing.startBrewing(T1);
    brewing.markFailed(new Date(T2), 'barista: timeout');
    expect(brewing.status).toBe('failed');
  });

  it('is ready once the coffee is ready, even if a hop failed (ready wins over failed)', () => {
    const failedFirst = placeOrder();
    failedFirst.markFailed(new Date(T1), 'pager: unavailable');
    failedFirst.markReady(T2, T3);
    expect(failedFirst.status).toBe('ready');

    const readyFirst = placeOrder();
    readyFirst.markReady(T1, T2);
    readyFirst.markFailed(new Date(T3), 'pager: unavailable');
    expect(readyFirst.status).toBe('ready');
  });

  it('is restored as it was stored', () => {
    const order = placeOrder();
    order.markReady(T1, T2);
    const { id, customer, items, correlationId, history } = order;

    const restored = Order.restore({ id, customer, items, correlationId, history });

    expect(state(restored)).toEqual(state(order));
    expect(restored.status).toBe('ready');
    expect(restored.pullEvents()).toEqual([]);
  });

  it('records each change as an event once, handed over by pullEvents', () => {
    const order = placeOrder();
    order.markReady(T1, T2);
    order.markReady(T1, T2);

    expect(order.pullEvents()).toEqual([
      { orderId: 'order-1', change: { status: 'placed', at: T0 } },
      { orderId: 'order-1', change: { status: 'brewing', at: T1 } },
      { orderId: 'order-1', change: { status: 'ready', at: T2 } },
    ]);
    expect(order.pullEvents()).toEqual([]);

    order.markFailed(new Date(T3), 'pager: timeout');
    expect(order.pullEvents()).toEqual([
      { orderId: 'order-1', change: { status: 'failed', at: T3, reason: 'pager: timeout' } },
    ]);
  });
});
