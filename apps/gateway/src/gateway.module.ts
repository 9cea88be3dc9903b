import {
  HealthController,
  MetricsModule,
  READINESS_CHECKS,
  type ReadinessCheck,
  SERVICE_IDENTITY,
} from '@app/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { RouteTable } from './domain/routes';
import { GatewayConfig } from './gateway.config';
import { type Lookup, UpstreamDiscovery } from './infrastructure/upstream-discovery';

export interface GatewayOptions {
  /**
   * How upstream host names resolve (default: the system's resolver, every address). Tests give
   * one that answers a name with several addresses, as Docker's DNS does for a scaled service.
   */
  readonly lookup?: Lookup;
}

/** Which paths go to which service; `/board` and `/downstreams` are order's. */
export function gatewayRoutes(config: GatewayConfig): RouteTable {
  return new RouteTable(
    [
      {
        name: 'order',
        prefixes: ['/orders', '/board', '/downstreams'],
        upstreams: config.ORDER_UPSTREAMS,
        timeoutMs: config.ORDER_UPSTREAM_TIMEOUT_MS,
      },
      {
        name: 'barista',
        prefixes: ['/brews'],
        upstreams: config.BARISTA_UPSTREAMS,
        timeoutMs: config.BARISTA_UPSTREAM_TIMEOUT_MS,
      },
      {
        name: 'pager',
        prefixes: ['/buzzes'],
        upstreams: config.PAGER_UPSTREAMS,
        timeoutMs: config.PAGER_UPSTREAM_TIMEOUT_MS,
      },
    ],
    config.GATEWAY_COOLDOWN_MS,
  );
}

/**
 * Ready when every route has at least one instance believed up (passively: not in its cool-down
 * after a failure). The gateway does not probe the services' own /health: under http order's
 * readiness may itself go through the gateway, and the two would wait on each other.
 */
function routeChecks(table: RouteTable): ReadinessCheck[] {
  return table.routes.map((route) => ({
    name: route.name,
    check: () => ({
      status: route.balancer.up ? 'up' : 'down',
      instances: route.balancer.states(),
    }),
  }));
}

/** The gateway app's composition root (the forwarding itself is a Fastify plugin: bootstrap.ts). */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, options: GatewayOptions = {}): DynamicModule {
    const table = gatewayRoutes(config);
    return {
      module: GatewayModule,
      imports: [MetricsModule.forRoot('gateway')],
      controllers: [HealthController],
      providers: [
        { provide: GatewayConfig, useValue: config },
        { provide: RouteTable, useValue: table },
        {
          provide: UpstreamDiscovery,
          useFactory: () =>
            new UpstreamDiscovery(table, config.GATEWAY_DNS_REFRESH_MS, options.lookup),
        },
        { provide: READINESS_CHECKS, useValue: routeChecks(table) },
        {
          provide: SERVICE_IDENTITY,
          useValue: { service: 'gateway', transport: config.TRANSPORT },
        },
      ],
    };
  }
}
