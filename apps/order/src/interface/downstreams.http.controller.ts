import { Controller, Get } from '@nestjs/common';
import { DownstreamCalls } from '../infrastructure/downstream-calls';

/** TRANSPORT=http: `GET /downstreams`, the state of order's calls to barista and pager. */
@Controller('downstreams')
export class DownstreamsHttpController {
  constructor(private readonly calls: DownstreamCalls) {}

  @Get()
  downstreams() {
    return this.calls.view();
  }
}
