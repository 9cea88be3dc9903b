import {
  childContext,
  formatTraceparent,
  HttpHeaders,
  parseTraceparent,
  type TraceContext,
} from '@app/contracts';
import { activeTraceparent } from '@app/telemetry';
import type { DynamicModule } from '@nestjs/common';
import { LoggerModule, PinoLogger } from 'nestjs-pino';
// The AsyncLocalStorage behind nestjs-pino's per-request logger: a file of the package (no
// "exports" map), not re-exported by its index. Pinned to 4.6.x; a test fails if it moves.
import { Store, storage } from 'nestjs-pino/storage';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { stdTimeFunctions, type Level } from 'pino';
import type { LogLevelName } from './common.config';

/** Nest's level names as pino's. */
const PINO_LEVELS: Record<LogLevelName, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/** pino's name for a LOG_LEVEL (`log` is `info`, `verbose` is `trace`). */
export function pinoLevel(level: LogLevelName): Level {
  return PINO_LEVELS[level];
}

const ACCEPTABLE_CORRELATION_ID = /^[\w.:-]{1,128}$/;

/** What every log line of one request or message carries. */
export interface LogContext {
  readonly correlationId: string;
  readonly traceId: string;
  /** This hop's span: a new one for a request, the message's own for a message. */
  readonly spanId: string;
}

/** A request's ids: its correlation id and the trace context of this server's span. */
export interface RequestTrace extends LogContext {
  /** `traceparent` naming this server's span: what the work it causes continues. */
  readonly traceparent: string;
}

const TRACE = Symbol('requestTrace');
type Traced = IncomingMessage & { [TRACE]?: RequestTrace };

/**
 * The request's ids, worked out once per request (by the logger's middleware, then read by the
 * `CorrelationId`/`Traceparent` parameters): the caller's `x-correlation-id` when it is a sane
 * token, else a new one; the caller's trace continued with a span of this server's, or a new
 * trace when `traceparent` is missing or invalid.
 */
export function requestTrace(request: IncomingMessage): RequestTrace {
  const traced = request as Traced;
  if (traced[TRACE]) return traced[TRACE];
  const given = request.headers[HttpHeaders.CorrelationId];
  const correlationId =
    typeof given === 'string' && ACCEPTABLE_CORRELATION_ID.test(given) ? given : randomUUID();
  // With the OpenTelemetry SDK on, this server's span is the HTTP instrumentation's (which read
  // the caller's traceparent): the ids in the logs are those of the spans a backend shows.
  const span =
    parseTraceparent(activeTraceparent()) ??
    childContext(parseTraceparent(request.headers[HttpHeaders.Traceparent]));
  const trace: RequestTrace = {
    correlationId,
    traceId: span.traceId,
    spanId: span.spanId,
    traceparent: formatTraceparent(span),
  };
  traced[TRACE] = trace;
  return trace;
}

/** The log context of a message: its correlation id and the trace context it carries. */
export function messageLogContext(
  correlationId: string | undefined,
  traceparent: unknown,
): Partial<LogContext> {
  const trace: TraceContext | undefined = parseTraceparent(traceparent);
  return {
    ...(correlationId ? { correlationId } : {}),
    ...(trace ? { traceId: trace.traceId, spanId: trace.spanId } : {}),
  };
}

/**
 * Runs `work` with every log line it writes (through Nest's Logger, wired to pino) carrying the
 * fields `fields()` gives: what nestjs-pino does for a request, for work that is not one (a
 * message). Without the pino logger (unit tests, an app built without {@link createHttpApp}), or
 * at a level that writes no info lines (see {@link hasLogContext}), it just runs `work`, and
 * `fields` is not called: reading a message's ids costs nothing where no line would carry them.
 */
export function withLogContext<T>(fields: () => Record<string, string>, work: () => T): T {
  // Set by nestjs-pino's middleware when the app is initialised; typed as always there.
  const root = PinoLogger.root as PinoLogger['logger'] | undefined;
  if (!root?.isLevelEnabled('info')) return work();
  return storage.run(new Store(root.child(fields())), work);
}

/**
 * Whether requests and messages get a log context at `level`: only when info lines (the steps
 * of an order) are written. The context lives in an AsyncLocalStorage, and on Node 20 the first
 * `run` turns on promise hooks for every promise in the process (a few per cent of order's CPU;
 * docs/results.md), plus a pino child logger per request and per message. At warn and above
 * (the benchmark's level) the few lines written name the order id but carry no trace.
 */
export function hasLogContext(level: LogLevelName): boolean {
  return level === 'log' || level === 'debug' || level === 'verbose';
}

/**
 * Structured JSON logs (nestjs-pino) for one app: one line per entry on stdout with its level,
 * time, the app's name, the Nest context, and, inside a request, its correlation id, trace id
 * and span id. pino-http's own line per request is written only at debug and verbose: at the
 * usual levels the apps log the steps of an order, not every request.
 */
export function loggerModule(app: string, level: LogLevelName): DynamicModule {
  const chatty = level === 'debug' || level === 'verbose';
  return LoggerModule.forRoot({
    // No request middleware at all without a log context (see hasLogContext).
    ...(hasLogContext(level) ? {} : { forRoutes: [] }),
    pinoHttp: {
      level: pinoLevel(level),
      base: { app },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      autoLogging: chatty,
      // The request in a line: method and URL only (not its headers, not the body).
      wrapSerializers: false,
      serializers: {
        req: (request: IncomingMessage & { originalUrl?: string }) => ({
          method: request.method,
          // Nest's middleware sees the URL relative to where it is mounted: the original one.
          url: request.originalUrl ?? request.url,
        }),
      },
      customProps: (request) => {
        const { correlationId, traceId, spanId } = requestTrace(request);
        return { correlationId, traceId, spanId };
      },
    },
  });
}
