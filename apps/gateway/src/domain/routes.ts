import { Balancer } from './balancer';

/** One service behind the gateway: the paths it serves and where its instances are. */
export interface Route {
  readonly name: string;
  readonly prefixes: readonly string[];
  /** The configured upstream origins; a host name stands for every address it resolves to. */
  readonly upstreams: readonly string[];
  readonly timeoutMs: number;
  readonly balancer: Balancer;
}

export interface RouteSpec {
  readonly name: string;
  readonly prefixes: readonly string[];
  /** Comma-separated origins, as the configuration gives them. */
  readonly upstreams: string;
  readonly timeoutMs: number;
}

/** The gateway's routing: the first route one of whose prefixes the path starts with. */
export class RouteTable {
  readonly routes: readonly Route[];

  constructor(specs: readonly RouteSpec[], cooldownMs: number, now?: () => number) {
    this.routes = specs.map((spec) => {
      const upstreams = spec.upstreams.split(',').map((url) => new URL(url).origin);
      const balancer = new Balancer(cooldownMs, now);
      balancer.setInstances(upstreams);
      return { ...spec, upstreams, balancer };
    });
  }

  /**
   * The route for a request path (query string allowed): `/orders`, `/orders/` and `/orders/1`
   * match the prefix `/orders`; `/ordersx` does not.
   */
  match(url: string): Route | undefined {
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    return this.routes.find((route) =>
      route.prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`)),
    );
  }
}
