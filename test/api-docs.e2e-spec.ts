import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCS_DIR, openApiFileName } from '../tools/api-docs/api-docs';
import { anOrder, get, post } from './support/client';
import { Shop } from './support/shop';

const TRANSPORTS = [
  { transport: 'http', accepted: 201 },
  { transport: 'rmq', accepted: 202 },
] as const;

// Documents are walked by path in these checks; each test states the shape it expects.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** A JSON pointer to one response's schema in an OpenAPI document. */
function responseSchema(path: string, method: string, status: number): string {
  const escaped = path.replace(/~/g, '~0').replace(/\//g, '~1');
  return `#/paths/${escaped}/${method}/responses/${status}/content/application~1json/schema`;
}

describe.each(TRANSPORTS)('API docs served over $transport', ({ transport, accepted }) => {
  let shop: Shop;
  let committed: Json;
  let ajv: Ajv;

  beforeAll(async () => {
    shop = await Shop.start({ transport, brewMs: 5, machines: 2 });
    committed = JSON.parse(
      readFileSync(join(DOCS_DIR, openApiFileName('order', transport)), 'utf8'),
    ) as Json;
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(committed, 'order');
  });

  afterAll(async () => {
    await shop?.close();
  });

  /** Checks `body` against the committed document's schema for that response. */
  function expectDocumented(body: unknown, path: string, method: string, status: number): void {
    const validate = ajv.compile({ $ref: `order${responseSchema(path, method, status)}` });
    const valid = validate(body);
    expect({ path, method, status, errors: validate.errors ?? [] }).toEqual({
      path,
      method,
      status,
      errors: [],
    });
    expect(valid).toBe(true);
  }

  it('serves at /docs/openapi.json exactly the document checked in (else: npm run docs:api)', async () => {
    const served = await get<Json>(`${shop.orderUrl}/docs/openapi.json`);
    expect(served.status).toBe(200);
    expect(served.body).toEqual(committed);
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await fetch(`${shop.orderUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(await response.text()).toContain('swagger-ui');
    const bundle = await fetch(`${shop.orderUrl}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
  });

  it(`answers POST /orders (${accepted}), GET /orders/:id and a 400 as documented`, async () => {
    const placed = await post<{ id: string }>(`${shop.orderUrl}/orders`, anOrder('Docs'));
    expect(placed.status).toBe(accepted);
    expectDocumented(placed.body, '/orders', 'post', accepted);

    const one = await get(`${shop.orderUrl}/orders/${placed.body.id}`);
    expectDocumented(one.body, '/orders/{id}', 'get', 200);
    const list = await get(`${shop.orderUrl}/orders?limit=5`);
    expectDocumented(list.body, '/orders', 'get', 200);

    const refused = await post(`${shop.orderUrl}/orders`, {
      customer: 'Docs',
      items: [{ drink: 'tea', size: 'large', quantity: 1 }],
    });
    expect(refused.status).toBe(400);
    expectDocumented(refused.body, '/orders', 'post', 400);
    // The schema check can fail: an answer missing a documented field does not pass.
    const { fields: _fields, ...withoutFields } = refused.body as Json;
    const validate = ajv.compile({ $ref: `order${responseSchema('/orders', 'post', 400)}` });
    expect(validate(withoutFields)).toBe(false);
  });

  it('answers /health and /health/live as documented', async () => {
    const health = await get(`${shop.orderUrl}/health`);
    expectDocumented(health.body, '/health', 'get', 200);
    expectDocumented((await get(`${shop.orderUrl}/health/live`)).body, '/health/live', 'get', 200);
  });
});

describe('API_DOCS=off', () => {
  let shop: Shop;

  beforeAll(async () => {
    shop = await Shop.start({ transport: 'http', env: { API_DOCS: 'off' } });
  });

  afterAll(async () => {
    await shop?.close();
  });

  it('serves no /docs', async () => {
    expect((await fetch(`${shop.orderUrl}/docs/openapi.json`)).status).toBe(404);
    expect((await fetch(`${shop.orderUrl}/docs`)).status).toBe(404);
    expect((await get(`${shop.orderUrl}/health/live`)).status).toBe(200);
  });
});
