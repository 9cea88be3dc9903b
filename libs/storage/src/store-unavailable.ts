import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpStatus,
  ServiceUnavailableException,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { throwError } from 'rxjs';

/**
 * The database could not be reached (refused, dropped, restarting, no free connection in
 * time): the work was not done, and may be tried again. Not a fault of the request.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(cause: unknown) {
    super(`the database is unavailable: ${messageOf(cause)}`, { cause });
  }
}

// Connection exceptions (class 08), and the server shutting down or starting (57P01-57P03).
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end/i;

/** Whether `error` says the database was out of reach, rather than the statement wrong. */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  const { code, errors } = (error ?? {}) as { code?: unknown; errors?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_CODES.has(code))) {
    return true;
  }
  if (Array.isArray(errors) && errors.some(isStoreUnavailable)) return true;
  return UNAVAILABLE_MESSAGES.test(messageOf(error));
}

/** `error` as a {@link StoreUnavailableError} when the database was out of reach, else as is. */
export function asStoreError(error: unknown): unknown {
  return isStoreUnavailable(error) && !(error instanceof StoreUnavailableError)
    ? new StoreUnavailableError(error)
    : error;
}

/**
 * HTTP: a database out of reach answers 503 (retry later), not 500. Messages are not touched:
 * their acknowledgement interceptor retries them as any failed message.
 */
@Catch(StoreUnavailableError)
export class StoreUnavailableFilter implements ExceptionFilter<StoreUnavailableError> {
  catch(error: StoreUnavailableError, host: ArgumentsHost) {
    if (host.getType() !== 'http') return throwError(() => error);
    const status = HttpStatus.SERVICE_UNAVAILABLE;
    const body = new ServiceUnavailableException(error.message).getResponse();
    void host.switchToHttp().getResponse<FastifyReply>().status(status).send(body);
    return undefined;
  }
}

function messageOf(error: unknown): string {
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  if (typeof message === 'string' && message !== '') return message;
  return typeof code === 'string' ? code : String(error);
}
