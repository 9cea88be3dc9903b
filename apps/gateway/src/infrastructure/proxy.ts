import type { Metrics } from '@app/platform';
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Histogram } from 'prom-client';
import { Agent } from 'undici';
import type { Route, RouteTable } from '../domain/routes';

/** Methods a client may send twice with the same effect: these alone fail over after a reset. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Errors that say the instance is not there (or stopped answering mid-way): skip it a while. */
const INSTANCE_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** Nothing reached the instance: even a POST may go to another one. */
const NOTHING_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'FST_REPLY_FROM_GATEWAY_TIMEOUT']);

export interface ProxyOptions {
  readonly table: RouteTable;
  readonly metrics?: Metrics;
}

type Outcome = 'response' | 'timeout' | 'refused' | 'error';

/**
 * The gateway's forwarding, as a Fastify plugin (encapsulated: its body parser does not reach
 * the app's own routes). Every path that no other route serves lands here: a path under a
 * route's prefix goes to one of that route's instances, anything else is 404.
 *
 * Bodies are read as raw bytes (within BODY_LIMIT_BYTES) and sent on as they came: never parsed,
 * validated or serialised again, and still there to send to another instance when the first
 * refused the connection. Responses stream back as they arrive (Server-Sent Events included).
 */
export async function gatewayProxy(fastify: FastifyInstance, options: ProxyOptions): Promise<void> {
  const latency = options.metrics
    ? new Histogram({
        name: 'gateway_upstream_request_duration_seconds',
        help: 'Time to the upstream response headers (or the failure), by route, instance and outcome.',
        labelNames: ['route', 'instance', 'outcome', 'status'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [options.metrics.registry],
      })
    : undefined;

  // The timeout given per request bounds the wait for the response headers only: undici would
  // apply it to the pauses between body chunks as well, which would cut an idle SSE stream.
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
  const dispatcher = agent.compose(
    (dispatch) => (opts, handler) => dispatch({ ...opts, bodyTimeout: 0 }, handler),
  );
  fastify.addHook('onClose', async () => agent.close());

  await fastify.register(replyFrom, {
    undici: dispatcher,
    disableRequestLogging: true,
  });

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );

  fastify.all('/*', (request, reply) => {
    // Routed and forwarded as normalised (`/orders/../health` is `/health`, and no route's), so
    // that a path cannot climb out of its prefix on the service behind.
    const target = request.url.startsWith('/') ? parsePath(request.url) : undefined;
    if (!target) {
      sendError(reply, 400, 'the request target must be a path');
      return;
    }
    const { pathname, search } = target;
    const route = options.table.match(pathname);
    if (!route) {
      sendError(reply, 404, `Cannot ${request.method} ${pathname}`);
      return;
    }
    forward(
      request,
      reply,
      route,
      `${pathname}${search}`,
      new Set(),
      (outcome, instance, seconds, status) =>
        latency?.observe({ route: route.name, instance, outcome, status }, seconds),
    );
  });
}

function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  route: Route,
  path: string,
  tried: Set<string>,
  observe: (outcome: Outcome, instance: string, seconds: number, status: string) => void,
): void {
  const instance = route.balancer.pick(tried);
  if (!instance) {
    sendError(reply, 503, `no instance of ${route.name} is up`, {
      upstream: route.name,
      instances: route.balancer.states(),
    });
    return;
  }
  tried.add(instance);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const body = Buffer.isBuffer(request.body) ? request.body : undefined;

  try {
    reply.from(`${instance}${path}`, {
      timeout: route.timeoutMs,
      // reply-from would send a GET that got 503 again, up to 10 times, to the same instance:
      // a service's answer passes through as it is; fail-over is this app's (onError).
      retryDelay: () => null,
      ...(body && {
        body,
        contentType: request.headers['content-type'] ?? 'application/octet-stream',
      }),
      rewriteRequestHeaders: (_request, headers) => ({
        ...headers,
        'x-forwarded-for': [request.headers['x-forwarded-for'], request.ip]
          .filter(Boolean)
          .join(', '),
        'x-forwarded-proto': request.protocol,
        'x-forwarded-host': request.headers.host ?? '',
      }),
      onResponse: (_request, _proxied, response) => {
        route.balancer.succeeded(instance);
        observe('response', instance, elapsed(), String(response.statusCode));
        void reply.send(response.stream);
      },
      onError: (_proxied, { error }) => {
        const code = errorCode(error);
        if (TIMEOUTS.has(code)) {
          route.balancer.failed(instance);
          observe('timeout', instance, elapsed(), '504');
          sendError(reply, 504, `${route.name} did not answer within ${route.timeoutMs} ms`, {
            upstream: route.name,
            instance,
          });
          return;
        }
        if (INSTANCE_FAILURES.has(code)) route.balancer.failed(instance);
        observe(NOTHING_SENT.has(code) ? 'refused' : 'error', instance, elapsed(), '502');
        // A POST that may have reached the instance is never sent again (it may have been
        // acted on); one refused before anything was sent, and any idempotent request, may be.
        const again =
          NOTHING_SENT.has(code) || (IDEMPOTENT.has(request.method) && INSTANCE_FAILURES.has(code));
        if (again && route.balancer.canPick(tried)) {
          forward(request, reply, route, path, tried, observe);
          return;
        }
        sendError(reply, 502, `${route.name} did not answer: ${code}`, {
          upstream: route.name,
          instance,
        });
      },
    });
  } catch (error) {
    // reply-from decodes the path: a malformed escape (`?x=%`) is the client's error.
    if (!(error instanceof URIError)) throw error;
    tried.delete(instance);
    sendError(reply, 400, `the request target is not a valid URL: ${error.message}`);
  }
}

/** The gateway's own answers, shaped as the services' (Nest's) errors, plus what names the upstream. */
function sendError(
  reply: FastifyReply,
  statusCode: number,
  message: string,
  extra: Record<string, unknown> = {},
): void {
  void reply
    .code(statusCode)
    .send({ statusCode, error: STATUS_CODES[statusCode], message, ...extra });
}

function parsePath(path: string): URL | undefined {
  try {
    return new URL(`http://gateway${path}`);
  } catch {
    return undefined;
  }
}

/** The most specific error code: the cause's (ECONNREFUSED) before reply-from's wrapper's. */
function errorCode(error: unknown): string {
  const codes: string[] = [];
  for (let current = error; typeof current === 'object' && current !== null;) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') codes.push(code);
    current = cause;
  }
  return codes.reverse().find((code) => code !== 'FST_REPLY_FROM_INTERNAL_SERVER_ERROR') ?? 'error';
}
