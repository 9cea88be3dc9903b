import {
  Controller,
  type INestApplicationContext,
  type DynamicModule,
  Get,
  Global,
  Module,
  type OnModuleDestroy,
  Res,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRICS_PATH = '/metrics';

/** Seconds: from a fast local request (1 ms) to the slowest timeouts the shop allows (10 s). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One app's Prometheus registry and the series every app shares: the process (CPU, heap, RSS,
 * event-loop lag, GC), its HTTP requests, and its messages (recorded by @app/messaging under
 * TRANSPORT=rmq). A registry per instance rather than prom-client's global one, so that two apps
 * in one test process do not count into each other. Every series carries `service`.
 */
export class Metrics implements OnModuleDestroy {
  readonly registry = new Registry();
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly messageHandlerDuration: Histogram<'pattern' | 'outcome'>;
  readonly messagesConsumed: Counter<'queue'>;
  readonly messagesPublished: Counter<'event'>;
  readonly messagesDeadLettered: Counter<'queue' | 'reason'>;
  readonly messagesRetried: Counter<'queue'>;
  private readonly gcObserver: PerformanceObserver;

  constructor(service: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequestDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route pattern (not URL) and status; /metrics itself is not counted.',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.messageHandlerDuration = new Histogram({
      name: 'shop_message_handler_duration_seconds',
      help: 'Message handling, from dispatch to settlement, by pattern and outcome (ack, retry, dead_letter, redeliver).',
      labelNames: ['pattern', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.messagesConsumed = new Counter({
      name: 'shop_messages_consumed_total',
      help: 'Deliveries taken from the queue (redeliveries and retries included).',
      labelNames: ['queue'],
      registers,
    });
    this.messagesPublished = new Counter({
      name: 'shop_messages_published_total',
      help: 'Events the broker confirmed, by event type.',
      labelNames: ['event'],
      registers,
    });
    this.messagesDeadLettered = new Counter({
      name: 'shop_messages_dead_lettered_total',
      help: 'Messages moved to the dead-letter queue, by reason: rejected (malformed or unroutable), invalid, failed (retries exhausted).',
      labelNames: ['queue', 'reason'],
      registers,
    });
    this.messagesRetried = new Counter({
      name: 'shop_messages_retried_total',
      help: 'Messages parked in a retry queue after their handler failed.',
      labelNames: ['queue'],
      registers,
    });
    this.gcObserver = heapAfterMajorGc(this.registry);
  }

  onModuleDestroy(): void {
    this.gcObserver.disconnect();
  }
}

/**
 * The heap right after each major GC. Heap used sampled at a random scrape rises and falls with
 * garbage; after a full collection it is what is still reachable, so a rise there across a soak
 * is a leak, while a rise of the heap total alone is V8 sizing its heap.
 */
function heapAfterMajorGc(registry: Registry): PerformanceObserver {
  const registers = [registry];
  const used = new Gauge({
    name: 'nodejs_heap_used_after_major_gc_bytes',
    help: 'V8 heap used right after the last major (mark-sweep-compact) GC.',
    registers,
  });
  const total = new Gauge({
    name: 'nodejs_heap_total_after_major_gc_bytes',
    help: 'V8 heap total (reserved for objects) right after the last major GC.',
    registers,
  });
  const observer = new PerformanceObserver((list) => {
    const major = list
      .getEntries()
      .some(
        (entry) =>
          (entry as { detail?: { kind?: number } }).detail?.kind ===
          constants.NODE_PERFORMANCE_GC_MAJOR,
      );
    if (!major) return;
    const heap = getHeapStatistics();
    used.set(heap.used_heap_size);
    total.set(heap.total_heap_size);
  });
  observer.observe({ entryTypes: ['gc'] });
  return observer;
}

/**
 * Times every HTTP request in a Fastify `onResponse` hook: one histogram observation per request,
 * with a label object (a cached labelled child measured slower, since prom-client's child hashes
 * the same labels again). The route is Fastify's pattern
 * (`/orders/:id`), `unmatched` for a 404 without a route, so the label set stays as small as
 * the API.
 */
export function instrumentHttp(fastify: FastifyInstance, metrics: Metrics): void {
  const histogram = metrics.httpRequestDuration;
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route !== METRICS_PATH) {
      histogram.observe(
        { method: request.method, route, status: reply.statusCode },
        reply.elapsedTime / 1000,
      );
    }
    done();
  });
}

/** `GET /metrics`: the app's registry in Prometheus text format. */
@ApiTags('metrics')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get(METRICS_PATH)
  @ApiOperation({ summary: 'Prometheus metrics of this instance' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format (version 0.0.4).',
    schema: { type: 'string' },
  })
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}

/**
 * The app's {@link Metrics} (global, so @app/messaging and the app's own collectors inject it)
 * and `GET /metrics`.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(service: string): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [{ provide: Metrics, useFactory: () => new Metrics(service) }],
      exports: [Metrics],
    };
  }
}

/** The app's {@link Metrics}, or undefined when its module does not import MetricsModule. */
export function metricsOf(app: INestApplicationContext): Metrics | undefined {
  try {
    // Through ModuleRef: the application's own get() ends the process on a missing provider
    // (NestFactory's abortOnError), where ModuleRef's just throws.
    return app.get(ModuleRef).get(Metrics, { strict: false });
  } catch {
    return undefined;
  }
}
