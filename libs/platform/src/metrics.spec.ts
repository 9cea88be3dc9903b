import { Controller, Get, Module, NotFoundException, Param } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { instrumentHttp, Metrics, MetricsModule, metricsOf } from './metrics';

@Controller('things')
class ThingsController {
  @Get(':id')
  thing(@Param('id') id: string) {
    if (id === 'missing') throw new NotFoundException();
    return { id };
  }
}

@Module({ imports: [MetricsModule.forRoot('things')], controllers: [ThingsController] })
class ThingsModule {}

describe('Metrics over HTTP', () => {
  let app: NestFastifyApplication;

  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ThingsModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    const metrics = metricsOf(app);
    if (!metrics) throw new Error('no Metrics');
    instrumentHttp(app.getHttpAdapter().getInstance(), metrics);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterEach(() => app.close());

  const call = (url: string) => app.inject({ method: 'GET', url });
  const lines = async (prefix: string) =>
    (await call('/metrics')).body.split('\n').filter((line) => line.startsWith(prefix));

  it('serves the registry as Prometheus text, every series labelled with the service', async () => {
    const reply = await call('/metrics');
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toContain('text/plain; version=0.0.4');
    expect(reply.body).toMatch(/^process_resident_memory_bytes\{service="things"\} \d+/m);
    expect(reply.body).toMatch(/^nodejs_heap_size_used_bytes\{service="things"\} \d+/m);
    expect(reply.body).toContain('# TYPE nodejs_heap_used_after_major_gc_bytes gauge');
  });

  it('counts requests by route pattern and status, not by URL, and not /metrics', async () => {
    await call('/things/1');
    await call('/things/2');
    await call('/things/missing');
    await call('/nowhere');
    await call('/metrics');

    expect(await lines('http_request_duration_seconds_count')).toEqual([
      'http_request_duration_seconds_count{service="things",method="GET",route="/things/:id",status="200"} 2',
      'http_request_duration_seconds_count{service="things",method="GET",route="/things/:id",status="404"} 1',
      'http_request_duration_seconds_count{service="things",method="GET",route="unmatched",status="404"} 1',
    ]);
  });

  it('is found only where the module imports MetricsModule', async () => {
    const bare = await Test.createTestingModule({ controllers: [ThingsController] }).compile();
    expect(metricsOf(bare)).toBeUndefined();
    expect(metricsOf(app)).toBeInstanceOf(Metrics);
    await bare.close();
  });
});
