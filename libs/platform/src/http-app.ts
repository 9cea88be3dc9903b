import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { openApiDocument, serveApiDocs } from './api-docs';
import type { CommonConfig } from './common.config';
import { useJsonBodyOnly } from './json-body';
import { loggerModule } from './logging';
import { instrumentHttp, metricsOf } from './metrics';

/**
 * A Nest application on Fastify (one POST route measured twice as fast as on Express; see
 * docs/architecture.md), taking JSON bodies only, within the size and nesting limits of the
 * config (see {@link useJsonBodyOnly}), with shutdown hooks enabled.
 * When the module imports MetricsModule, every request is timed (see {@link instrumentHttp}).
 * With API_DOCS=on the app serves its OpenAPI document and Swagger UI at `/docs`.
 * Logs are JSON lines through nestjs-pino at LOG_LEVEL (see {@link loggerModule}), the app
 * named after its module (`OrderModule` → `order`).
 */
export async function createHttpApp(
  module: DynamicModule,
  config: CommonConfig,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.BODY_LIMIT_BYTES });
  const name = module.module.name.replace(/Module$/, '').toLowerCase();
  const logged: DynamicModule = {
    ...module,
    imports: [...(module.imports ?? []), loggerModule(name, config.LOG_LEVEL)],
  };
  const app = await NestFactory.create<NestFastifyApplication>(logged, adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  useJsonBodyOnly(app.getHttpAdapter().getInstance(), {
    bodyLimit: config.BODY_LIMIT_BYTES,
    maxDepth: config.BODY_MAX_DEPTH,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.enableShutdownHooks();
  const metrics = metricsOf(app);
  if (metrics) instrumentHttp(app.getHttpAdapter().getInstance(), metrics);
  // Built once, here: serving it later is a route like any other.
  if (config.API_DOCS === 'on') serveApiDocs(app, openApiDocument(app));
  return app;
}
