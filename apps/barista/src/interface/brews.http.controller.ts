import { CoffeeBrewed } from '@app/contracts';
import {
  ApiQueryFrom,
  PageQuery,
  requestValidationPipe,
  schemaRef,
  VALIDATION_ERROR_SCHEMA,
} from '@app/platform';
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type BarStatus, GetBarStatusQuery } from '../application/queries/get-bar-status.query';

@ApiTags('brews')
@Controller('brews')
export class BrewsHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @ApiOperation({ summary: 'The bar now: machines busy, orders waiting, the newest brews' })
  @ApiQueryFrom(PageQuery)
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['machines', 'busy', 'queued', 'total', 'brews'],
      properties: {
        machines: { type: 'integer', description: 'Espresso machines (ESPRESSO_MACHINES).' },
        busy: { type: 'integer', description: 'Machines brewing now.' },
        queued: { type: 'integer', description: 'Orders waiting for a machine.' },
        total: { type: 'integer', description: 'Coffees brewed since the log began.' },
        brews: { type: 'array', items: schemaRef(CoffeeBrewed), description: 'Newest first.' },
      },
    },
  })
  @ApiResponse({ status: 400, schema: VALIDATION_ERROR_SCHEMA })
  status(@Query(requestValidationPipe()) page: PageQuery): Promise<BarStatus> {
    return this.queries.execute(new GetBarStatusQuery(page.limit));
  }
}
