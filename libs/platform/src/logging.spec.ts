import { parseTraceparent } from '@app/contracts';
import { Logger as NestLogger } from '@nestjs/common';
import { Logger, PinoLogger } from 'nestjs-pino';
import { storage } from 'nestjs-pino/storage';
import type { IncomingMessage } from 'node:http';
import {
  hasLogContext,
  messageLogContext,
  pinoLevel,
  requestTrace,
  withLogContext,
} from './logging';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${SPAN}-01`;

const aRequest = (headers: Record<string, string | string[]> = {}) =>
  ({ headers }) as unknown as IncomingMessage;

describe('requestTrace', () => {
  it("continues the caller's trace with a span of this server's", () => {
    const trace = requestTrace(aRequest({ traceparent: VALID, 'x-correlation-id': 'c-1' }));
    expect(trace.correlationId).toBe('c-1');
    expect(trace.traceId).toBe(TRACE);
    expect(trace.spanId).not.toBe(SPAN);
    expect(parseTraceparent(trace.traceparent)).toEqual({
      traceId: TRACE,
      spanId: trace.spanId,
      flags: '01',
    });
  });

  it('starts a trace and a correlation id when the caller sends none, or ones it cannot use', () => {
    const callers: Record<string, string | string[]>[] = [
      {},
      { traceparent: 'nonsense', 'x-correlation-id': 'has spaces and ;' },
      { traceparent: [VALID, VALID] },
    ];
    for (const headers of callers) {
      const trace = requestTrace(aRequest(headers));
      expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(trace.traceId).not.toBe(TRACE);
      expect(trace.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('works a request out once: the logger and the handler see the same ids', () => {
    const request = aRequest();
    expect(requestTrace(request)).toBe(requestTrace(request));
  });
});

describe('messageLogContext', () => {
  it("takes a message's correlation id and trace context", () => {
    expect(messageLogContext('c-1', VALID)).toEqual({
      correlationId: 'c-1',
      traceId: TRACE,
      spanId: SPAN,
    });
  });

  it('leaves out what the message does not carry, or carries unreadably', () => {
    expect(messageLogContext(undefined, 'nonsense')).toEqual({});
    expect(messageLogContext('c-1', undefined)).toEqual({ correlationId: 'c-1' });
  });
});

describe('pinoLevel', () => {
  it.each([
    ['fatal', 'fatal'],
    ['error', 'error'],
    ['warn', 'warn'],
    ['log', 'info'],
    ['debug', 'debug'],
    ['verbose', 'trace'],
  ] as const)('maps LOG_LEVEL=%s to pino level %s', (nest, pino) => {
    expect(pinoLevel(nest)).toBe(pino);
  });
});

describe('withLogContext', () => {
  const lines: Record<string, unknown>[] = [];
  let logger: Logger;

  beforeAll(() => {
    const stream = { write: (line: string) => lines.push(JSON.parse(line)) };
    const pino = new PinoLogger({ pinoHttp: [{ base: undefined }, stream] });
    // What nestjs-pino's middleware sets when an app starts.
    (PinoLogger as unknown as { root: unknown }).root = pino.logger;
    logger = new Logger(pino, {});
  });

  afterAll(() => {
    (PinoLogger as unknown as { root: unknown }).root = undefined;
  });

  beforeEach(() => (lines.length = 0));

  it("puts the context's fields on every line logged inside it, and only there", async () => {
    NestLogger.overrideLogger(logger);
    try {
      const counter = new NestLogger('Counter');
      await withLogContext(
        () => ({ correlationId: 'c-1', traceId: TRACE }),
        async () => {
          await Promise.resolve();
          counter.log({ msg: 'Order placed', orderId: 'o-1' });
        },
      );
      counter.log('outside');
    } finally {
      NestLogger.overrideLogger(false);
    }
    expect(lines[0]).toMatchObject({
      correlationId: 'c-1',
      traceId: TRACE,
      context: 'Counter',
      msg: 'Order placed',
      orderId: 'o-1',
    });
    expect(lines[1]).toMatchObject({ msg: 'outside' });
    expect(lines[1]).not.toHaveProperty('correlationId');
  });

  it('adds no context when the logger writes no info lines (LOG_LEVEL=warn and above)', () => {
    const quiet = new PinoLogger({ pinoHttp: { level: 'warn' } }).logger.child(
      {},
      { level: 'warn' },
    );
    (PinoLogger as unknown as { root: unknown }).root = quiet;
    const fields = jest.fn(() => ({ correlationId: 'c-1' }));
    expect(withLogContext(fields, () => storage.getStore())).toBeUndefined();
    // The message's ids are not even read.
    expect(fields).not.toHaveBeenCalled();
    expect(['fatal', 'error', 'warn'].some((level) => hasLogContext(level as 'warn'))).toBe(false);
    expect(['log', 'debug', 'verbose'].every((level) => hasLogContext(level as 'log'))).toBe(true);
  });

  it('runs the work as it is without the pino logger', () => {
    (PinoLogger as unknown as { root: unknown }).root = undefined;
    expect(
      withLogContext(
        () => ({ correlationId: 'c-1' }),
        () => storage.getStore(),
      ),
    ).toBeUndefined();
  });
});
