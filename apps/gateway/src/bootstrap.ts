import { createHttpApp, metricsOf } from '@app/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { RouteTable } from './domain/routes';
import { GatewayConfig } from './gateway.config';
import { GatewayModule, type GatewayOptions } from './gateway.module';
import { gatewayProxy } from './infrastructure/proxy';

/** The gateway, ready to `listen` (used by main.ts and by the end-to-end tests). */
export async function createGatewayApp(
  config: GatewayConfig,
  options: GatewayOptions = {},
): Promise<NestFastifyApplication> {
  const app = await createHttpApp(GatewayModule.forRoot(config, options), config);
  const proxy = { table: app.get(RouteTable), metrics: metricsOf(app) };
  // A plugin of its own, so that its raw body parser applies to the forwarded routes only.
  await app.register(async (fastify: FastifyInstance) => gatewayProxy(fastify, proxy));
  return app;
}
