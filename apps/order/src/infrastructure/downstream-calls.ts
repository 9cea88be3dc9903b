import { Injectable } from '@nestjs/common';
import type { Hop } from '../application/ports/hop-failed.error';
import type { CircuitView, DefenceCounts, Defences } from './http-defences';

export type DownstreamView = DefenceCounts & {
  readonly circuit: CircuitView;
  /** Connections open to the service now (a hung service keeps every one of them busy). */
  readonly sockets: number;
};

interface Service {
  readonly defences: Defences;
  readonly sockets: () => number;
}

/**
 * Where order's calls to barista and pager stand (TRANSPORT=http): each service's circuit, how
 * many calls, requests, retries and fast failures there were, and how many calls and sockets are
 * open to it now (what piles up in order while a service hangs). Read by `GET /downstreams`
 * and by the benchmark, which reports the calls a stopped barista still got.
 */
@Injectable()
export class DownstreamCalls {
  private readonly services = new Map<Hop, Service>();

  register(hop: Hop, defences: Defences, sockets: () => number = () => 0): void {
    this.services.set(hop, { defences, sockets });
  }

  view(): Partial<Record<Hop, DownstreamView>> {
    return Object.fromEntries(
      [...this.services].map(([hop, { defences, sockets }]) => [
        hop,
        { circuit: defences.state, ...defences.counts, sockets: sockets() },
      ]),
    );
  }
}
