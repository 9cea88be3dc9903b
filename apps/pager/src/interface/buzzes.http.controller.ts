import { ApiPageOf, ERROR_SCHEMA, PageQuery, requestValidationPipe } from '@app/platform';
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
import {
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { map, type Observable } from 'rxjs';
import { BuzzStream } from '../application/buzz-stream';
import { GetBuzzQuery, ListBuzzesQuery } from '../application/queries/list-buzzes.query';
import type { Buzz } from '../domain/buzz';
import { BUZZ_SCHEMA } from './buzz.api-schema';

@ApiTags('buzzes')
@Controller('buzzes')
export class BuzzesHttpController {
  constructor(
    private readonly queries: QueryBus,
    private readonly stream: BuzzStream,
  ) {}

  /** The newest buzzes, newest first, and how many there have been. */
  @Get()
  @ApiOperation({ summary: 'The newest buzzes, newest first' })
  @ApiPageOf({
    query: PageQuery,
    key: 'buzzes',
    items: BUZZ_SCHEMA,
    total: 'How many buzzes there have been.',
  })
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
  @ApiOperation({ summary: 'Server-Sent Events: every buzz from now on' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'An event stream: per buzz, `id:` the order id and `data:` the buzz as JSON (schema below).',
    schema: BUZZ_SCHEMA,
  })
  live(): Observable<MessageEvent> {
    return this.stream.live.pipe(map((buzz) => ({ id: buzz.orderId, data: buzz })));
  }

  /** The preflight a browser may send before reconnecting with a Last-Event-ID header. */
  @Options('stream')
  @ApiExcludeEndpoint()
  @HttpCode(204)
  @Header('access-control-allow-origin', '*')
  @Header('access-control-allow-methods', 'GET')
  @Header('access-control-allow-headers', 'last-event-id')
  @Header('access-control-max-age', '600')
  preflight(): void {}

  @Get(':orderId')
  @ApiOperation({ summary: "One order's buzz" })
  @ApiParam({ name: 'orderId', schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ schema: BUZZ_SCHEMA })
  @ApiResponse({ status: 400, description: 'The id is not a UUID.', schema: ERROR_SCHEMA })
  @ApiResponse({ status: 404, description: 'Not buzzed (yet).', schema: ERROR_SCHEMA })
  async one(@Param('orderId', new ParseUUIDPipe()) orderId: string): Promise<Buzz> {
    const buzz = await this.queries.execute(new GetBuzzQuery(orderId));
    if (!buzz) throw new NotFoundException(`Order ${orderId} has not been buzzed`);
    return buzz;
  }
}
