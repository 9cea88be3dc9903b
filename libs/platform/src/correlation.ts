import { HttpHeaders } from '@app/contracts';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestTrace } from './logging';

/**
 * The request's correlation id: the caller's `x-correlation-id` when it is a sane token, else a
 * new one (see {@link requestTrace}). It is echoed in the response so a client can quote it.
 */
export const CorrelationId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const http = ctx.switchToHttp();
  const { correlationId } = requestTrace(http.getRequest<FastifyRequest>().raw);
  http.getResponse<FastifyReply>().header(HttpHeaders.CorrelationId, correlationId);
  return correlationId;
});

/**
 * The `traceparent` of this request's span (the caller's trace, or a new one): what the events
 * the request causes continue.
 */
export const Traceparent = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string =>
    requestTrace(ctx.switchToHttp().getRequest<FastifyRequest>().raw).traceparent,
);
