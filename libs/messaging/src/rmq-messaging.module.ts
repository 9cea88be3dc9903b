import { type DynamicModule, Module } from '@nestjs/common';
import type { INestApplication, INestMicroservice } from '@nestjs/common';
import { AcknowledgeInterceptor } from './acknowledge.interceptor';
import { MESSAGING_PLACE } from './messaging-place';
import { EVENTS_CLIENT, PUBLISH_TIMEOUT_MS, RmqEventPublisher } from './rmq-event.publisher';
import { rmqClientOptions, rmqServerOptions, type RmqSettings } from './rmq-options';
import { ShopRmqClient } from './shop-rmq.client';
import { ShopRmqServer } from './shop-rmq.server';
import { topology } from './topology';

export interface RmqMessagingOptions extends RmqSettings {
  /** The consuming context: names this app's queue. */
  readonly context: string;
  readonly publishTimeoutMs: number;
}

/**
 * The RabbitMQ adapters one app needs: a confirm-channel publisher for its integration events and
 * the acknowledgement interceptor for its message handlers. Imported only under TRANSPORT=rmq.
 */
@Module({})
export class RmqMessagingModule {
  static forRoot(options: RmqMessagingOptions): DynamicModule {
    return {
      module: RmqMessagingModule,
      providers: [
        // Closed by RmqEventPublisher on shutdown.
        { provide: EVENTS_CLIENT, useFactory: () => new ShopRmqClient(rmqClientOptions(options)) },
        { provide: PUBLISH_TIMEOUT_MS, useValue: options.publishTimeoutMs },
        {
          provide: MESSAGING_PLACE,
          useValue: {
            namespace: options.namespace,
            queue: topology(options.namespace).queue(options.context),
          },
        },
        RmqEventPublisher,
        AcknowledgeInterceptor,
      ],
      exports: [RmqEventPublisher, AcknowledgeInterceptor, MESSAGING_PLACE],
    };
  }
}

/**
 * Attaches the app's consumer: Nest's RMQ server (as {@link ShopRmqServer}) on the context's
 * queue, with the app's global pipes and filters applied to messages too.
 */
export function connectRmqConsumer(
  app: INestApplication,
  options: RmqMessagingOptions,
): INestMicroservice {
  const strategy = new ShopRmqServer({
    ...rmqServerOptions(options, options.context),
    namespace: options.namespace,
  });
  return app.connectMicroservice({ strategy }, { inheritAppConfig: true });
}
