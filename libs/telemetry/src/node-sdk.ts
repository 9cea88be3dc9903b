import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes are not orders: no trace each second per app. */
const QUIET = new Set(['/health', '/health/live', '/health/ready', '/metrics']);

/**
 * The SDK with the maintained instrumentations that fit the shop: Node's http (servers), undici
 * (order's calls under http), Nest (controller and handler spans) and pino (trace_id/span_id on every log line
 * written inside a span; the lines stay on stdout). Fastify's own instrumentation is left out:
 * @opentelemetry/instrumentation-fastify is deprecated and does not cover Fastify 5, and the
 * http and Nest spans already name the route. amqplib's is left out too: see
 * processSpanOptions (the shop's own send and process spans carry the messaging conventions).
 */
export function createSdk(service: string | undefined): NodeSDK {
  return new NodeSDK({
    ...(service ? { serviceName: service } : {}),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => QUIET.has((request.url ?? '').split('?')[0]),
      }),
      new UndiciInstrumentation(),
      new NestInstrumentation(),
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
}
