import {
  type BeforeApplicationShutdown,
  Controller,
  Get,
  Inject,
  Optional,
  Res,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Server } from 'node:http';
import {
  type CheckResult,
  DATABASE_CHECK,
  READINESS_CHECKS,
  type ReadinessCheck,
} from './readiness';

export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');

export interface ServiceIdentity {
  readonly service: string;
  readonly transport: string;
}

/**
 * `GET /health`: readiness. 200 `{ status: 'ok', ..., checks }` when every readiness check is up
 * (the broker under rmq, the downstream services under http), else 503 with `status:
 * 'unavailable'` (or `'stopping'` once the app is shutting down) and the checks that failed.
 * `GET /health/live`: liveness, 200 as long as the process answers at all.
 *
 * When the app begins to shut down it stops being ready and its listener stops taking new
 * connections, while the requests and messages in flight finish.
 */
const LIVE_SCHEMA = {
  type: 'object',
  required: ['status', 'service', 'transport', 'startedAt', 'pid'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    service: { type: 'string', example: 'order' },
    transport: { type: 'string', enum: ['http', 'rmq'] },
    startedAt: { type: 'string', format: 'date-time' },
    pid: { type: 'integer' },
  },
};

const CHECK_SCHEMA = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['up', 'down'] }, error: { type: 'string' } },
  additionalProperties: true,
};

const readiness = (statuses: string[]) => ({
  ...LIVE_SCHEMA,
  required: [...LIVE_SCHEMA.required, 'checks'],
  properties: {
    ...LIVE_SCHEMA.properties,
    status: { type: 'string', enum: statuses },
    checks: {
      type: 'object',
      description:
        'One entry per check: `broker` under rmq, `barista` and `pager` for order under http, ' +
        '`database` for the apps with a store.',
      additionalProperties: CHECK_SCHEMA,
    },
  },
});

@ApiTags('health')
@Controller('health')
export class HealthController implements BeforeApplicationShutdown {
  private readonly startedAt = new Date().toISOString();
  private stopping = false;
  private readonly checks: readonly ReadinessCheck[];

  constructor(
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Optional() @Inject(READINESS_CHECKS) checks: readonly ReadinessCheck[] = [],
    @Optional() private readonly adapterHost?: HttpAdapterHost,
    @Optional() @Inject(DATABASE_CHECK) database?: ReadinessCheck,
  ) {
    this.checks = database ? [...checks, database] : checks;
  }

  @Get()
  @ApiOperation({ summary: 'Readiness: can this instance take work?' })
  @ApiOkResponse({ description: 'Every readiness check is up.', schema: readiness(['ok']) })
  @ApiResponse({
    status: 503,
    description: 'A check is down, or the app is shutting down (`stopping`).',
    schema: readiness(['unavailable', 'stopping']),
  })
  async health(@Res({ passthrough: true }) reply: FastifyReply) {
    const results = await Promise.all(
      this.checks.map(async (check) => [check.name, await run(check)] as const),
    );
    const ready = !this.stopping && results.every(([, result]) => result.status === 'up');
    void reply.status(ready ? 200 : 503);
    return {
      ...this.live(),
      status: ready ? 'ok' : this.stopping ? 'stopping' : 'unavailable',
      checks: Object.fromEntries(results),
    };
  }

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 as long as the process answers.' })
  @ApiOkResponse({ schema: LIVE_SCHEMA })
  live() {
    return { status: 'ok', ...this.identity, startedAt: this.startedAt, pid: process.pid };
  }

  beforeApplicationShutdown(): void {
    this.stopping = true;
    // Not awaited: closing waits for every open connection, and the app closes them later.
    const server = this.adapterHost?.httpAdapter?.getHttpServer() as Server | undefined;
    if (server?.listening) server.close();
  }
}

async function run(check: ReadinessCheck): Promise<CheckResult> {
  try {
    return await check.check();
  } catch (error) {
    return { status: 'down', error: error instanceof Error ? error.message : String(error) };
  }
}
