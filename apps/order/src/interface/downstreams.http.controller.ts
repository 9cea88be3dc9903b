import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DownstreamCalls } from '../infrastructure/downstream-calls';

/** TRANSPORT=http: `GET /downstreams`, the state of order's calls to barista and pager. */
@ApiTags('downstreams')
@Controller('downstreams')
export class DownstreamsHttpController {
  constructor(private readonly calls: DownstreamCalls) {}

  @Get()
  @ApiOperation({
    summary: "TRANSPORT=http only: the state of order's calls to barista and pager",
  })
  @ApiOkResponse({
    description: 'Per downstream (`barista`, `pager`): its circuit and call counts.',
    schema: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['circuit'],
        properties: { circuit: { type: 'string', enum: ['closed', 'open', 'half-open', 'off'] } },
        additionalProperties: { type: 'integer' },
      },
    },
  })
  downstreams() {
    return this.calls.view();
  }
}
