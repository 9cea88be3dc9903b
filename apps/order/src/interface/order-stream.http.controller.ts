import { Controller, type MessageEvent, Sse } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { OrderStatusStream } from '../application/order-status-stream';

/** Its own controller beside OrdersHttpController: Fastify matches `/orders/stream` before `/orders/:id`. */
@Controller('orders')
export class OrderStreamHttpController {
  constructor(private readonly stream: OrderStatusStream) {}

  /**
   * Server-Sent Events: one `data:` line per status change of any order from now on
   * (`{ id, customer, items, status, at, reason? }`); `GET /orders` has what came before.
   */
  @Sse('stream')
  live(): Observable<MessageEvent> {
    return this.stream.live.pipe(map((update) => ({ data: update })));
  }
}
