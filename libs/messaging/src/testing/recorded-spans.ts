import { context, propagation, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';

export type RecordedSpan = tracing.ReadableSpan;

/**
 * The OpenTelemetry SDK registered in this (test) process with an in-memory exporter, so that a
 * spec can read the spans the shop's code records through @opentelemetry/api. `stop` unregisters
 * it again: the API falls back to its no-op, as in a process with tracing off.
 */
export function recordSpans() {
  const exporter = new tracing.InMemorySpanExporter();
  const provider = new node.NodeTracerProvider({
    spanProcessors: [new tracing.SimpleSpanProcessor(exporter)],
  });
  provider.register();
  return {
    spans: (): RecordedSpan[] => exporter.getFinishedSpans(),
    named: (name: string): RecordedSpan[] =>
      exporter.getFinishedSpans().filter((span) => span.name === name),
    reset: () => exporter.reset(),
    async stop(): Promise<void> {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
