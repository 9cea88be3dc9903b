// The first import of main.ts: OpenTelemetry (when asked for) must patch http, undici, Nest,
// amqplib and pino before anything loads them.
import { startTelemetry } from '@app/telemetry';

startTelemetry('pager');
