import { Controller, Get, Inject } from '@nestjs/common';

export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');

export interface ServiceIdentity {
  readonly service: string;
  readonly transport: string;
}

@Controller('health')
export class HealthController {
  private readonly startedAt = new Date().toISOString();

  constructor(@Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity) {}

  @Get()
  health() {
    return { status: 'ok', ...this.identity, startedAt: this.startedAt, pid: process.pid };
  }
}
