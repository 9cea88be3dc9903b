import { metricsOf, READINESS_CHECKS } from '@app/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { AcknowledgeInterceptor } from './acknowledge.interceptor';
import { BrokerHealthCheck } from './broker-health';
import { ConsumerControl, SHUTDOWN_TIMEOUT_MS } from './consumer-control';
import { InFlightMessages } from './in-flight';
import { MESSAGING_PLACE, type MessagingPlace } from './messaging-place';
import { EVENTS_CLIENT, PUBLISH_TIMEOUT_MS, RmqEventPublisher } from './rmq-event.publisher';
import {
  rmqClientOptions,
  rmqServerOptions,
  type RmqSettings,
  topologySettings,
} from './rmq-options';
import { QueueMetrics } from './queue-metrics';
import { NO_RETRIES, type RetryPolicy } from './retry-policy';
import { ShopRmqClient } from './shop-rmq.client';
import { ShopRmqServer } from './shop-rmq.server';
import { SHOP_SUBSCRIPTIONS, topology } from './topology';

export interface RmqMessagingOptions extends RmqSettings {
  /** The consuming context: names this app's queue. */
  readonly context: string;
  readonly publishTimeoutMs: number;
  /** How handler failures are retried before they are dead-lettered; none if unset. */
  readonly retry?: RetryPolicy;
  /** On shutdown, how long to wait for the messages in flight; 10 s if unset. */
  readonly shutdownTimeoutMs?: number;
  /** How deep a message's JSON may nest (BODY_MAX_DEPTH); 32 if unset. */
  readonly maxDepth?: number;
}

/**
 * The RabbitMQ adapters one app needs: a confirm-channel publisher for its integration events,
 * the acknowledgement interceptor for its message handlers, the consumer's graceful stop, and
 * the broker's readiness check (`READINESS_CHECKS`, read by the platform's HealthController).
 * Imported only under TRANSPORT=rmq.
 */
@Module({})
export class RmqMessagingModule {
  static forRoot(options: RmqMessagingOptions): DynamicModule {
    const place: MessagingPlace = {
      namespace: options.namespace,
      queue: topology(options.namespace).queue(options.context),
      context: options.context,
      retry: options.retry ?? NO_RETRIES,
    };
    return {
      module: RmqMessagingModule,
      providers: [
        // Closed by RmqEventPublisher on shutdown.
        {
          provide: EVENTS_CLIENT,
          useFactory: () =>
            new ShopRmqClient(
              rmqClientOptions(options, options.context),
              options.publishTimeoutMs,
              { settings: publisherTopology(options) },
            ),
        },
        { provide: PUBLISH_TIMEOUT_MS, useValue: options.publishTimeoutMs },
        { provide: MESSAGING_PLACE, useValue: place },
        { provide: SHUTDOWN_TIMEOUT_MS, useValue: options.shutdownTimeoutMs ?? 10_000 },
        RmqEventPublisher,
        AcknowledgeInterceptor,
        InFlightMessages,
        ConsumerControl,
        BrokerHealthCheck,
        QueueMetrics,
        {
          provide: READINESS_CHECKS,
          useFactory: (broker: BrokerHealthCheck) => [broker],
          inject: [BrokerHealthCheck],
        },
      ],
      exports: [
        RmqEventPublisher,
        AcknowledgeInterceptor,
        MESSAGING_PLACE,
        InFlightMessages,
        ConsumerControl,
        READINESS_CHECKS,
      ],
    };
  }
}

/**
 * Attaches the app's consumer: Nest's RMQ server (as {@link ShopRmqServer}) on the context's
 * queue, with the app's global pipes and filters applied to messages too, its retry queues, and
 * its deliveries tracked for a graceful shutdown. The app must import {@link RmqMessagingModule}.
 */
export function connectRmqConsumer(
  app: INestApplication,
  options: RmqMessagingOptions,
): INestMicroservice {
  const control = app.get(ConsumerControl, { strict: false });
  const strategy = new ShopRmqServer({
    ...rmqServerOptions(options, options.context),
    namespace: options.namespace,
    topology: topologySettings(options),
    context: options.context,
    retry: options.retry ?? NO_RETRIES,
    maxDepth: options.maxDepth,
    inFlight: control.inFlight,
    metrics: metricsOf(app),
  });
  control.attach(strategy);
  return app.connectMicroservice({ strategy }, { inheritAppConfig: true });
}

/** The whole namespace as this app declares it, retry queues included (see declareTopology). */
function publisherTopology(options: RmqMessagingOptions) {
  const settings = topologySettings({ ...options, retries: options.retry?.retries ?? 0 });
  const subscriptions = { ...SHOP_SUBSCRIPTIONS };
  subscriptions[options.context] ??= [];
  return { ...settings, subscriptions };
}
