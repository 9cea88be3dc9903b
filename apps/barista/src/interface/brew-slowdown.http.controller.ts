import { requestValidationPipe, VALIDATION_ERROR_SCHEMA } from '@app/platform';
import { Body, Controller, Get, Logger, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsNumber, Max, Min } from 'class-validator';
import { BrewPace } from '../application/brew-pace';

export class BrewSlowdownRequest {
  /** Brew time = BREW_MS × factor; 1 is the normal pace. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(1)
  @Max(1000)
  public readonly factor!: number;
}

export interface BrewSlowdownView {
  readonly factor: number;
  readonly brewMs: number;
}

const VIEW_SCHEMA = {
  type: 'object',
  required: ['factor', 'brewMs'],
  properties: { factor: { type: 'number' }, brewMs: { type: 'integer' } },
};

/**
 * FAULT_INJECTION=on only: the benchmark slows the barista down and back while the shop is under
 * load (`barista-slow`), to show what a slow callee does to its callers. Not wired otherwise.
 */
@ApiTags('faults')
@Controller('faults/brew-slowdown')
export class BrewSlowdownHttpController {
  private readonly logger = new Logger('Faults');

  constructor(private readonly pace: BrewPace) {}

  @Get()
  @ApiOperation({ summary: 'FAULT_INJECTION=on only: the slowdown in force' })
  @ApiOkResponse({ schema: VIEW_SCHEMA })
  current(): BrewSlowdownView {
    return { factor: this.pace.slowdown, brewMs: this.pace.brewMs };
  }

  @Put()
  @ApiOperation({ summary: 'FAULT_INJECTION=on only: brew `factor` times slower from now on' })
  @ApiOkResponse({ schema: VIEW_SCHEMA })
  @ApiResponse({ status: 400, schema: VALIDATION_ERROR_SCHEMA })
  slowDown(@Body(requestValidationPipe()) request: BrewSlowdownRequest): BrewSlowdownView {
    this.pace.slowDown(request.factor);
    this.logger.warn(`Brew time now ${this.pace.brewMs} ms (× ${request.factor}): injected fault`);
    return this.current();
  }
}
