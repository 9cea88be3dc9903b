import { PageQuery, requestValidationPipe } from '@app/platform';
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { type BarStatus, GetBarStatusQuery } from '../application/queries/get-bar-status.query';

@Controller('brews')
export class BrewsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  status(@Query(requestValidationPipe()) page: PageQuery): Promise<BarStatus> {
    return this.queries.execute(new GetBarStatusQuery(page.limit));
  }
}
