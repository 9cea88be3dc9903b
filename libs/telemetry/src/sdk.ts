import type { NodeSDK } from '@opentelemetry/sdk-node';

/**
 * Whether the OpenTelemetry SDK runs in this process. Off unless asked for, so that the
 * benchmark's default figures do not move: on when `OTEL_SDK_DISABLED=false`, or when an OTLP
 * endpoint is given (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and
 * `OTEL_SDK_DISABLED` is not `true`. (The specification's default is on; the shop's is off
 * because a span costs CPU on every hop of every order.)
 */
export function telemetryWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase();
  if (disabled === 'true') return false;
  if (disabled === 'false') return true;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

let sdk: NodeSDK | undefined;

/** Whether {@link startTelemetry} started the SDK here. */
export function telemetryOn(): boolean {
  return sdk !== undefined;
}

/**
 * Starts the OpenTelemetry Node SDK for the app `service` (its `service.name`, unless
 * `OTEL_SERVICE_NAME` says otherwise), if {@link telemetryWanted}. Must run before Nest, pino,
 * amqplib and undici are loaded (each app's `telemetry.ts`, the first import of its main.ts):
 * the instrumentations patch those modules as they are required. Everything else is read by
 * the SDK from the standard variables: exporter (`OTEL_TRACES_EXPORTER`, default otlp),
 * protocol (`OTEL_EXPORTER_OTLP_PROTOCOL`, default http/protobuf), sampler
 * (`OTEL_TRACES_SAMPLER`, default parentbased_always_on), batching (`OTEL_BSP_*`).
 */
export function startTelemetry(service: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (sdk || !telemetryWanted(env)) return false;
  // Traces only: the shop's metrics are Prometheus's (/metrics), its logs are stdout.
  env.OTEL_METRICS_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  env.OTEL_SDK_DISABLED = 'false';
  // Required only when wanted: the SDK and its instrumentations take ~100 ms and some MB to
  // load, which a process with tracing off should not pay (a static import would load them).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createSdk } = require('./node-sdk') as typeof import('./node-sdk');
  sdk = createSdk(env.OTEL_SERVICE_NAME ? undefined : service);
  sdk.start();
  const stop = () => void sdk?.shutdown().catch(() => undefined);
  // Flushes the spans still batched when Nest's shutdown hooks let the process end.
  process.once('beforeExit', stop);
  return true;
}

/** Flushes and stops the SDK (spans still batched are exported); a no-op when it is off. */
export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
