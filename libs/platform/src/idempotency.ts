import { HttpHeaders } from '@app/contracts';
import { BadRequestException } from '@nestjs/common';

/**
 * The `Idempotency-Key` contract of barista's `POST /brews` and pager's `POST /buzzes`: the key
 * is the order id, and the service does the work once per order. A key that names another order
 * is refused (400), since honouring it would promise a deduplication the service does not do.
 * The header is optional: without it the order id in the body is the key all the same.
 */
export function checkIdempotencyKey(given: string | string[] | undefined, orderId: string): void {
  if (given === undefined) return;
  const key = Array.isArray(given) ? given.join(',') : given;
  if (key !== orderId) {
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: [
        `${HttpHeaders.IdempotencyKey} must be the order id (${orderId}), got ${JSON.stringify(key.slice(0, 100))}`,
      ],
      fields: [HttpHeaders.IdempotencyKey],
    });
  }
}
