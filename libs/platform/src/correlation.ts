import { HttpHeaders } from '@app/contracts';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';

const ACCEPTABLE = /^[\w.:-]{1,128}$/;

/**
 * The request's correlation id: the caller's `x-correlation-id` when it is a sane token, else a
 * new one. It is echoed in the response so a client can quote it.
 */
export const CorrelationId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const http = ctx.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const given = request.headers[HttpHeaders.CorrelationId];
  const id = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
  http.getResponse<FastifyReply>().header(HttpHeaders.CorrelationId, id);
  return id;
});
