import { envelope, EventTypes, type OrderPlaced } from '@app/contracts';
import { randomUUID } from 'node:crypto';

/** An OrderPlaced to store and publish, told apart by its customer. */
export function anEvent(customer = 'Ada'): OrderPlaced {
  return envelope<OrderPlaced>(
    EventTypes.OrderPlaced,
    {
      orderId: randomUUID(),
      customer,
      items: [{ drink: 'latte', size: 'large', quantity: 1 }],
      placedAt: new Date().toISOString(),
    },
    { correlationId: `corr-${customer}` },
  );
}
