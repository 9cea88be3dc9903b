import type { FastifyInstance } from 'fastify';

/**
 * Whether the JSON text in `bytes` nests objects and arrays deeper than `limit`, found by one
 * pass over the bytes before anything parses or walks them. Brackets inside strings do not count;
 * the text need not be valid JSON (a parser refuses that afterwards). UTF-8 never puts an ASCII
 * byte inside a multi-byte character, so scanning bytes is exact.
 *
 * Why before parsing: class-transformer and class-validator walk a body recursively, and a body
 * of a few kilobytes nested a few thousand levels deep overflows the stack there (a 500 for the
 * request, a retried "handler failure" for a message), long before any size limit applies.
 */
export function jsonNestingExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (inString) {
      if (byte === BACKSLASH) i += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      depth += 1;
      if (depth > limit) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const BUILT_INS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

/**
 * The first key in `value`, at any depth, that names a member of `Object.prototype` (`toString`,
 * `constructor`, `__proto__`, ...) or is `prototype`. class-transformer skips some of them and
 * class-validator's whitelist misses the others (found by test/malformed-input.e2e-spec.ts), so
 * `forbidNonWhitelisted` never refuses them: such an unknown field would pass silently.
 * Iterative; the depth is already bounded.
 */
export function builtInKeyIn(value: unknown): string | undefined {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) continue;
    if (Array.isArray(next)) {
      pending.push(...(next as unknown[]));
      continue;
    }
    for (const [key, inner] of Object.entries(next)) {
      if (BUILT_INS.has(key)) return key;
      pending.push(inner);
    }
  }
  return undefined;
}

/** The line a too-deep body or message is refused with. */
export function tooDeepMessage(limit: number): string {
  return `the JSON is nested deeper than ${limit} levels (BODY_MAX_DEPTH)`;
}

export interface JsonBodyLimits {
  readonly bodyLimit: number;
  readonly maxDepth: number;
}

// Fatal: a byte sequence that is not UTF-8 is refused, not turned into U+FFFD and accepted.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const badRequest = (message: string) => Object.assign(new Error(message), { statusCode: 400 });

/**
 * The only body parser an app has: `application/json` (any charset parameter), refused with `400`
 * when it nests deeper than `maxDepth`, is not UTF-8, is not JSON (Fastify's own parser, which
 * also refuses `__proto__` and `constructor.prototype`), or has a key that names any other
 * built-in of objects (see {@link builtInKeyIn}). Any other content type
 * gets `415 Unsupported Media Type` naming it, instead of reaching validation as a string
 * (Fastify's default `text/plain` parser) or a flat form (Nest's urlencoded one).
 */
export function useJsonBodyOnly(fastify: FastifyInstance, limits: JsonBodyLimits): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: limits.bodyLimit },
    (request, body, done) => {
      const bytes = body as Buffer;
      if (jsonNestingExceeds(bytes, limits.maxDepth)) {
        done(badRequest(tooDeepMessage(limits.maxDepth)));
        return;
      }
      let text: string;
      try {
        text = strictUtf8.decode(bytes);
      } catch {
        done(badRequest('the body is not valid UTF-8'));
        return;
      }
      void parseJson(request, text, (error, body: unknown) => {
        const key = error ? undefined : builtInKeyIn(body);
        if (key !== undefined) done(badRequest(`the body has a key named ${key}, a reserved name`));
        else done(error, body);
      });
    },
  );
  fastify.addContentTypeParser('*', { bodyLimit: limits.bodyLimit }, (request, _payload, done) => {
    const type = request.headers['content-type'] ?? '(none)';
    const message = `Unsupported Media Type: ${type}; bodies are application/json`;
    done(Object.assign(new Error(message), { statusCode: 415 }), undefined);
  });
}
