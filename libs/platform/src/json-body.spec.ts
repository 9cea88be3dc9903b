import Fastify, { type FastifyInstance } from 'fastify';
import { jsonNestingExceeds, useJsonBodyOnly } from './json-body';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('jsonNestingExceeds', () => {
  it.each([
    ['a flat object', '{"a":1}', 1, false],
    ['an object in an array in an object, at the limit', '{"a":[{"b":1}]}', 3, false],
    ['the same one level over', '{"a":[{"b":1}]}', 2, true],
    ['brackets inside strings', '{"a":"[[[[{{{{"}', 1, false],
    ['escaped quotes inside strings', '{"a":"\\"[[[["}', 1, false],
    ['an escaped backslash before the closing quote', '{"a":"\\\\","b":[[1]]}', 2, true],
    ['multi-byte characters', '{"☕":["é",["ü"]]}', 3, false],
    ['siblings, each shallow', '[[1],[2],[3],[4]]', 2, false],
    ['no JSON at all', 'hello', 1, false],
  ])('%s', (_, text, limit, exceeds) => {
    expect(jsonNestingExceeds(bytes(text), limit)).toBe(exceeds);
  });

  it('stops at the first level over the limit, however deep the rest goes', () => {
    expect(jsonNestingExceeds(bytes('['.repeat(100_000)), 32)).toBe(true);
  });
});

describe('useJsonBodyOnly', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify();
    useJsonBodyOnly(fastify, { bodyLimit: 1024, maxDepth: 4 });
    fastify.post('/', (request) => ({ body: request.body }));
    await fastify.ready();
  });

  afterAll(() => fastify.close());

  const post = (payload: string, contentType?: string) =>
    fastify.inject({
      method: 'POST',
      url: '/',
      payload,
      headers: contentType ? { 'content-type': contentType } : {},
    });

  it('parses JSON within the limits, whatever its charset parameter', async () => {
    const answer = await post('{"a":[{"b":[1]}]}', 'application/json; charset=utf-8');
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ body: { a: [{ b: [1] }] } });
  });

  it('refuses a body nested deeper than the limit with a 400 naming it', async () => {
    const answer = await post('{"a":[{"b":[[1]]}]}', 'application/json');
    expect(answer.statusCode).toBe(400);
    expect(answer.json<{ message: string }>().message).toBe(
      'the JSON is nested deeper than 4 levels (BODY_MAX_DEPTH)',
    );
  });

  it.each([
    ['not JSON', '{"a":'],
    ['a __proto__ key', '{"__proto__":{"polluted":true}}'],
    ['a constructor.prototype key', '{"constructor":{"prototype":{"polluted":true}}}'],
  ])('refuses a body that is %s with a 400', async (_, payload) => {
    const answer = await post(payload, 'application/json');
    expect(answer.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body that is not UTF-8 with a 400, rather than reading it as U+FFFD', async () => {
    const answer = await fastify.inject({
      method: 'POST',
      url: '/',
      payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), // {"a":"\xff"}
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.json<{ message: string }>().message).toBe('the body is not valid UTF-8');
  });

  it.each(['toString', 'valueOf', 'hasOwnProperty', 'constructor', 'prototype'])(
    'refuses a key named %s, at any depth, with a 400 naming it',
    async (key) => {
      const answer = await post(`{"a":[{"b":1,"${key}":{}}]}`, 'application/json');
      expect(answer.statusCode).toBe(400);
      expect(answer.json<{ message: string }>().message).toBe(
        `the body has a key named ${key}, a reserved name`,
      );
    },
  );

  it('refuses a body over the size limit with a 413', async () => {
    const answer = await post(`{"a":"${'x'.repeat(2000)}"}`, 'application/json');
    expect(answer.statusCode).toBe(413);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    'refuses %s with a 415 naming it',
    async (type) => {
      const answer = await post('a=1', type);
      expect(answer.statusCode).toBe(415);
      expect(answer.json<{ message: string }>().message).toBe(
        `Unsupported Media Type: ${type}; bodies are application/json`,
      );
    },
  );
});
