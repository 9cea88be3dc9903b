import { BadRequestException } from '@nestjs/common';
import { checkIdempotencyKey } from './idempotency';

describe('checkIdempotencyKey', () => {
  const orderId = '0b7e3c4e-2f7c-4a3e-9d61-5b1c0c9f3e11';

  it('accepts the order id as the key, and no key at all (the order id is the key anyway)', () => {
    expect(() => checkIdempotencyKey(orderId, orderId)).not.toThrow();
    expect(() => checkIdempotencyKey(undefined, orderId)).not.toThrow();
  });

  it.each([
    ['another order', '5c1d2d83-0f3b-4a2e-8f6b-7e9a1b2c3d4e'],
    ['an empty key', ''],
    ['a repeated header', [orderId, orderId]],
  ])('refuses %s with a 400 naming the header and the order id', (_, key) => {
    let thrown: unknown;
    try {
      checkIdempotencyKey(key, orderId);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BadRequestException);
    const body = (thrown as BadRequestException).getResponse() as Record<string, unknown>;
    expect(body).toMatchObject({ statusCode: 400, fields: ['idempotency-key'] });
    expect(String(body.message)).toContain(`must be the order id (${orderId})`);
  });
});
