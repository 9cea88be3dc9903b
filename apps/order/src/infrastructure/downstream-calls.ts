import { Injectable } from '@nestjs/common';
import type { Hop } from '../application/ports/order-events.port';
import type { CircuitView, DefenceCounts, Defences } from './http-defences';

export type DownstreamView = DefenceCounts & { readonly circuit: CircuitView };

/**
 * Where order's calls to barista and pager stand (TRANSPORT=http): each service's circuit and
 * how many calls, requests, retries and fast failures there were. Read by `GET /downstreams`
 * and by the benchmark, which reports the calls a stopped barista still got.
 */
@Injectable()
export class DownstreamCalls {
  private readonly services = new Map<Hop, Defences>();

  register(hop: Hop, defences: Defences): void {
    this.services.set(hop, defences);
  }

  view(): Partial<Record<Hop, DownstreamView>> {
    return Object.fromEntries(
      [...this.services].map(([hop, defences]) => [
        hop,
        { circuit: defences.state, ...defences.counts },
      ]),
    );
  }
}
