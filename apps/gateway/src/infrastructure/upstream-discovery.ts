import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { RouteTable } from '../domain/routes';

export interface LookupAddress {
  readonly address: string;
  readonly family: number;
}

export type Lookup = (host: string) => Promise<readonly LookupAddress[]>;

const systemLookup: Lookup = (host) => dnsLookup(host, { all: true });

/**
 * The instances one upstream origin stands for: itself when its host is an IP address, else one
 * origin per address its host name resolves to. Only one family is kept (IPv4 when there is any),
 * so that `localhost` (127.0.0.1 and ::1, one server) counts as one instance, not two.
 */
export async function resolveUpstream(origin: string, lookup: Lookup): Promise<string[]> {
  const url = new URL(origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return [url.origin];
  const addresses = await lookup(host);
  const v4 = addresses.filter((entry) => entry.family === 4);
  const kept = v4.length > 0 ? v4 : addresses;
  const port = url.port ? `:${url.port}` : '';
  const origins = kept.map(({ address, family }) =>
    family === 6 ? `${url.protocol}//[${address}]${port}` : `${url.protocol}//${address}${port}`,
  );
  return [...new Set(origins)];
}

/**
 * Keeps every route's instance list in step with DNS: resolved at start-up, then every
 * `refreshMs`. A name that fails to resolve keeps its last known addresses (a DNS hiccup should
 * not empty a route; instances that are really gone fail and are skipped by the balancer).
 */
export class UpstreamDiscovery implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('UpstreamDiscovery');
  private readonly known = new Map<string, string[]>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly table: RouteTable,
    private readonly refreshMs: number,
    private readonly lookup: Lookup = systemLookup,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    for (const route of this.table.routes) {
      const instances = await Promise.all(route.upstreams.map((origin) => this.resolve(origin)));
      route.balancer.setInstances(instances.flat());
    }
  }

  private async resolve(origin: string): Promise<string[]> {
    try {
      const instances = await resolveUpstream(origin, this.lookup);
      this.known.set(origin, instances);
      return instances;
    } catch (error) {
      const last = this.known.get(origin) ?? [];
      this.logger.warn(
        `${origin} did not resolve (${error instanceof Error ? error.message : String(error)}); keeping ${last.length} known instance(s)`,
      );
      return last;
    }
  }
}
