import { PageQuery, requestValidationPipe } from '@app/platform';
import {
  Controller,
  Get,
  type MessageEvent,
  NotFoundException,
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

  /** Server-Sent Events: one `data:` line (a Buzz as JSON) per buzz from now on. */
  @Sse('stream')
  live(): Observable<MessageEvent> {
    return this.stream.live.pipe(map((buzz) => ({ id: buzz.orderId, data: buzz })));
  }

  @Get(':orderId')
  async one(@Param('orderId', new ParseUUIDPipe()) orderId: string): Promise<Buzz> {
    const buzz = await this.queries.execute(new GetBuzzQuery(orderId));
    if (!buzz) throw new NotFoundException(`Order ${orderId} has not been buzzed`);
    return buzz;
  }
}
