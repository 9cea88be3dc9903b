import type { CommonConfig } from '@app/platform';
import { createHttpApp } from '@app/platform';
import type { DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connectRmqConsumer, type RmqMessagingOptions } from './rmq-messaging.module';

/** The RabbitMQ settings of one context, from its validated config. */
export function rmqMessagingOptions(
  config: CommonConfig,
  context: string,
  prefetch: number,
): RmqMessagingOptions {
  return {
    url: config.AMQP_URL,
    namespace: config.AMQP_NAMESPACE,
    queueType: config.AMQP_QUEUE_TYPE,
    deliveryLimit: config.AMQP_DELIVERY_LIMIT,
    publishTimeoutMs: config.AMQP_PUBLISH_TIMEOUT_MS,
    context,
    prefetch,
    retry: { retries: config.RETRY_ATTEMPTS, baseDelayMs: config.RETRY_BASE_DELAY_MS },
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    maxDepth: config.BODY_MAX_DEPTH,
  };
}

/**
 * Creates one context's app: the HTTP app and, when a consumer is given (TRANSPORT=rmq), its
 * RabbitMQ consumer, started after the app is initialised. The caller then `listen`s; by then
 * the consumer is attached, so a healthy HTTP answer means messages are being taken.
 */
export async function createServiceApp(
  module: DynamicModule,
  config: CommonConfig,
  consumer?: RmqMessagingOptions,
): Promise<NestFastifyApplication> {
  const app = await createHttpApp(module, config);
  if (consumer) {
    connectRmqConsumer(app, consumer);
    await app.init();
    await app.startAllMicroservices();
  }
  return app;
}
