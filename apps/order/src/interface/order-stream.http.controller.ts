import { Controller, type MessageEvent, Sse } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { map, type Observable } from 'rxjs';
import { OrderStatusFeed } from '../application/ports/order-status-feed.port';
import { ORDER_STATUS_UPDATE_SCHEMA } from './order.api-schemas';

/** Its own controller beside OrdersHttpController: Fastify matches `/orders/stream` before `/orders/:id`. */
@ApiTags('orders')
@Controller('orders')
export class OrderStreamHttpController {
  constructor(private readonly feed: OrderStatusFeed) {}

  /**
   * Server-Sent Events: one `data:` line per status change of any order from now on
   * (`{ id, customer, items, status, at, reason? }`); `GET /orders` has what came before.
   */
  @Sse('stream')
  @ApiOperation({ summary: 'Server-Sent Events: every status change of every order from now on' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'An event stream: per status change, `data:` the change as JSON (schema below).',
    schema: ORDER_STATUS_UPDATE_SCHEMA,
  })
  live(): Observable<MessageEvent> {
    return this.feed.live.pipe(map((update) => ({ data: update })));
  }
}
