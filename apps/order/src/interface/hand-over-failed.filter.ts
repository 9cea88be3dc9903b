import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OrderNotHandedOverError } from '../application/commands/place-order/place-order.command';

/**
 * A failed hop becomes a clear answer: 504 when the hop timed out, 503 when it was down or
 * refused, each naming the hop and the order (which is kept, marked failed).
 */
@Catch(OrderNotHandedOverError)
export class HandOverFailedFilter implements ExceptionFilter<OrderNotHandedOverError> {
  catch(error: OrderNotHandedOverError, host: ArgumentsHost): void {
    const status =
      error.cause.failure === 'timeout'
        ? HttpStatus.GATEWAY_TIMEOUT
        : HttpStatus.SERVICE_UNAVAILABLE;
    void host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .status(status)
      .send({
        statusCode: status,
        error: status === HttpStatus.GATEWAY_TIMEOUT ? 'Gateway Timeout' : 'Service Unavailable',
        message: error.message,
        hop: error.cause.hop,
        orderId: error.order.id,
      });
  }
}
