import { namedSchema } from '@app/platform';

/** A buzz as the API shows it ({@link Buzz}). */
export const BUZZ_SCHEMA = namedSchema('Buzz', {
  type: 'object',
  required: ['orderId', 'customer', 'buzzedAt', 'correlationId', 'messageId'],
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    customer: { type: 'string' },
    buzzedAt: { type: 'string', format: 'date-time' },
    correlationId: { type: 'string' },
    messageId: { type: 'string', description: 'The CoffeeBrewed message that caused the buzz.' },
  },
});
