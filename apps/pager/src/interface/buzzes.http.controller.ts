import { PageQuery, requestValidationPipe } from '@app/platform';
import {
  Controller,
  Get,
  Header,
  HttpCode,
  type MessageEvent,
  NotFoundException,
  Options,
  Param,
  ParseUUIDPipe,
  Query,
  Sse,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { map, type Observable } from 'rxjs';
import { BuzzStream } from '../application/buzz-stream';
import { GetBuzzQuery, ListBuzzesQuery } from '../application/queries/list-buzzes.query';
import type { Buzz } from '../domain/buzz';

@Controller('buzzes')
export class BuzzesHttpController {
  constructor(
    private readonly queries: QueryBus,
    private readonly stream: BuzzStream,
  ) {}

  /** The newest buzzes, newest first, and how many there have been. */
  @Get()
  list(
    @Query(requestValidationPipe()) page: PageQuery,
  ): Promise<{ buzzes: Buzz[]; total: number }> {
    return this.queries.execute(new ListBuzzesQuery(page.limit));
  }

  /**
   * Server-Sent Events: one `data:` line (a Buzz as JSON) per buzz from now on. Open to any
   * origin (buzzes are no secret): order's live board follows it from another port.
   */
  @Sse('stream')
  @Header('access-control-allow-origin', '*')
  live(): Observable<MessageEvent> {
    return this.stream.live.pipe(map((buzz) => ({ id: buzz.orderId, data: buzz })));
  }

  /** The preflight a browser may send before reconnecting with a Last-Event-ID header. */
  @Options('stream')
  @HttpCode(204)
  @Header('access-control-allow-origin', '*')
  @Header('access-control-allow-methods', 'GET')
  @Header('access-control-allow-headers', 'last-event-id')
  @Header('access-control-max-age', '600')
  preflight(): void {}

  @Get(':orderId')
  async one(@Param('orderId', new ParseUUIDPipe()) orderId: string): Promise<Buzz> {
    const buzz = await this.queries.execute(new GetBuzzQuery(orderId));
    if (!buzz) throw new NotFoundException(`Order ${orderId} has not been buzzed`);
    return buzz;
  }
}
