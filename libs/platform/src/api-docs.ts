import { HttpHeaders } from '@app/contracts';
import { applyDecorators, type INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { ModuleRef } from '@nestjs/core';
import {
  ApiOkResponse,
  ApiQuery,
  ApiResponse,
  DocumentBuilder,
  type OpenAPIObject,
  type ReferenceObject,
  type SchemaObject,
  SwaggerModule,
} from '@nestjs/swagger';
import { ValidationTypes } from 'class-validator';
import {
  targetConstructorToSchema,
  validationMetadatasToSchemas,
} from 'class-validator-jsonschema';
import { SERVICE_IDENTITY, type ServiceIdentity } from './health.controller';

export type { OpenAPIObject, ReferenceObject, SchemaObject };

/** Where every app serves Swagger UI, and its OpenAPI document as JSON. */
export const API_DOCS_PATH = 'docs';
export const OPENAPI_JSON_PATH = `${API_DOCS_PATH}/openapi.json`;

/** Where a JSON schema of a class is referenced from, in OpenAPI and AsyncAPI alike. */
export const SCHEMA_REF_PREFIX = '#/components/schemas/';

type IOptions = NonNullable<Parameters<typeof validationMetadatasToSchemas>[0]>;

// class-transformer exports its metadata (what `@Type` says a nested field holds) only from this
// file, which ships without its own typings (they are under types/).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: IOptions['classTransformerMetadataStorage'];
};

type ClassRef = abstract new (...args: never[]) => unknown;

/**
 * The schemas come from the class-validator rules themselves (class-validator-jsonschema, at run
 * time), so the validated contract classes are the one source of truth: no @ApiProperty beside
 * each rule to keep in step, and no compile-time plugin that `nest build` runs but ts-jest and
 * ts-node do not. Nested classes are found through class-transformer's `@Type`.
 */
const SCHEMA_OPTIONS: IOptions = {
  refPointerPrefix: SCHEMA_REF_PREFIX,
  classTransformerMetadataStorage: defaultMetadataStorage,
  // `@IsDefined` would add `not: {type: null}` beside a `$ref`, where OpenAPI 3.0 ignores it;
  // being listed in `required` says the same.
  additionalConverters: { [ValidationTypes.IS_DEFINED]: {} },
};

/** `{ $ref }` to the schema of a validated class; {@link withSchemas} adds the schema itself. */
export function schemaRef(target: ClassRef): ReferenceObject {
  return { $ref: `${SCHEMA_REF_PREFIX}${target.name}` };
}

/**
 * Schemas of what the apps answer (views, not validated classes), by name, so that a document
 * lists each once under `components.schemas` and refers to it.
 */
const namedSchemas = new Map<string, SchemaObject>();

/** Names `schema` (a response shape) and returns a `$ref` to it. */
export function namedSchema(name: string, schema: SchemaObject): ReferenceObject {
  const known = namedSchemas.get(name);
  if (known && known !== schema) throw new Error(`Two different API schemas named ${name}`);
  namedSchemas.set(name, schema);
  return { $ref: `${SCHEMA_REF_PREFIX}${name}` };
}

/** The JSON schema of one validated class (nested classes as `$ref`s). */
export function schemaOf(target: ClassRef): SchemaObject {
  return targetConstructorToSchema(target, SCHEMA_OPTIONS) as SchemaObject;
}

/**
 * Every `$ref`ed schema that `document` needs, transitively, from the classes class-validator
 * knows, the {@link namedSchema}s and `others`: only those referenced, so a document lists
 * neither the config classes nor the empty schemas Swagger makes of undecorated classes (such as
 * message handlers' payloads) for no operation.
 */
export function referencedSchemas(
  document: unknown,
  others: Record<string, SchemaObject | ReferenceObject> = {},
): Record<string, SchemaObject> {
  const known = {
    ...(others as Record<string, SchemaObject>),
    ...(validationMetadatasToSchemas(SCHEMA_OPTIONS) as Record<string, SchemaObject>),
    ...Object.fromEntries(namedSchemas),
  };
  const found: Record<string, SchemaObject> = {};
  const pending = refsIn(document);
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (found[name] || !known[name]) continue;
    found[name] = known[name];
    pending.push(...refsIn(known[name]));
  }
  return Object.fromEntries(Object.entries(found).sort(([a], [b]) => a.localeCompare(b)));
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) =>
    key === '$ref' && typeof inner === 'string' && inner.startsWith(SCHEMA_REF_PREFIX)
      ? [inner.slice(SCHEMA_REF_PREFIX.length)]
      : refsIn(inner),
  );
}

/** One `@ApiQuery` per property of a validated query class, its schema from its rules. */
export function ApiQueryFrom(target: ClassRef): MethodDecorator {
  const schema = schemaOf(target);
  const required = new Set(schema.required ?? []);
  // A query class's defaults are its field initialisers: read them off a fresh instance.
  const defaults = new (target as unknown as new () => Record<string, unknown>)();
  const decorators = Object.entries(schema.properties ?? {}).map(([name, property]) =>
    ApiQuery({
      name,
      required: required.has(name),
      schema: defaults[name] === undefined ? property : { ...property, default: defaults[name] },
    }),
  );
  return (target, key, descriptor) => {
    for (const decorate of decorators) decorate(target, key, descriptor);
  };
}

/** A 400's body: `message` has a line per problem; `fields`, when present, names the fields. */
function badRequestSchema(lines: SchemaObject, fields: SchemaObject, fieldsRequired: boolean) {
  return {
    type: 'object',
    required: ['statusCode', 'error', 'message', ...(fieldsRequired ? ['fields'] : [])],
    properties: {
      statusCode: { type: 'integer', enum: [400] },
      error: { type: 'string', example: 'Bad Request' },
      message: { type: 'array', items: { type: 'string' }, ...lines },
      fields: { type: 'array', items: { type: 'string' }, ...fields },
    },
  };
}

/** The body of a 400 from {@link requestValidationPipe} (and `Idempotency-Key` checks). */
export const VALIDATION_ERROR_SCHEMA = namedSchema(
  'ValidationError',
  badRequestSchema(
    {
      description: 'One readable line per problem, starting with the field path.',
      example: ['items.0.size must be one of the following values: small, medium, large'],
    },
    {
      description: 'The path of every offending field (`items.0.size`), once each.',
      example: ['items.0.size'],
    },
    true,
  ),
);

/** The body of a 400 for a message posted between the apps (fields named in `message`). */
export const MESSAGE_ERROR_SCHEMA = namedSchema(
  'MessageError',
  badRequestSchema(
    { description: 'One line per problem, starting with the field path (`data.orderId`).' },
    { description: 'Present when the `Idempotency-Key` header was refused.' },
    false,
  ),
);

/**
 * A list endpoint's documentation: its query parameters from the validated `query` class, a 200
 * of `{ <key>: [items], total }` and the field-error 400.
 */
export function ApiPageOf(options: {
  query: ClassRef;
  key: string;
  items: SchemaObject | ReferenceObject;
  total: string;
}): MethodDecorator {
  return applyDecorators(
    ApiQueryFrom(options.query),
    ApiOkResponse({
      schema: {
        type: 'object',
        required: [options.key, 'total'],
        properties: {
          [options.key]: { type: 'array', items: options.items },
          total: { type: 'integer', description: options.total },
        },
      },
    }),
    ApiResponse({ status: 400, schema: VALIDATION_ERROR_SCHEMA }),
  );
}

/** Nest's body for any other HTTP error (404, ...). */
export const ERROR_SCHEMA = namedSchema('Error', {
  type: 'object',
  required: ['statusCode', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
});

/**
 * The OpenAPI document of a Nest app: its routes and their `@Api*` decorators, with the schemas of
 * the validated classes they reference. Built from the app's own routes, so it shows what the app
 * serves under its transport. Deterministic: the same code gives the same document.
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const identity = serviceIdentityOf(app);
  const config = new DocumentBuilder()
    .setTitle(`coffee-shop ${identity.service}`)
    .setDescription(
      `The ${identity.service} context of the coffee shop. Generated from the controllers and ` +
        'the validated contract classes (@app/contracts); checked in under docs/api/.',
    )
    .setVersion('1')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const components = document.components ?? {};
  const schemas = referencedSchemas(document.paths, components.schemas);
  return { ...document, components: { ...components, schemas } };
}

/** The Swagger UI files the page loads, served from swagger-ui-dist as they are. */
const UI_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

/**
 * Serves `document` at `/docs/openapi.json` and Swagger UI at `/docs`. Routes only, registered
 * once at start: no hook, nothing on other requests' path. The UI's files are streamed from
 * swagger-ui-dist by three fixed routes rather than through @nestjs/swagger's own static serving,
 * which on Fastify needs @fastify/static (whose current major is ES-module-only underneath and
 * cannot be loaded by jest).
 */
export function serveApiDocs(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(API_DOCS_PATH, app, document, {
    ui: false,
    raw: ['json'],
    jsonDocumentUrl: OPENAPI_JSON_PATH,
  });
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  const page = swaggerUiPage(document.info.title);
  fastify.get(`/${API_DOCS_PATH}`, (_request, reply) => {
    void reply.type('text/html; charset=utf-8').send(page);
  });
  const assets = swaggerUiDistPath();
  for (const [file, type] of Object.entries(UI_ASSETS)) {
    fastify.get(`/${API_DOCS_PATH}/${file}`, (_request, reply) => {
      void reply.type(type).send(createReadStream(join(assets, file)));
    });
  }
}

/**
 * swagger-ui-dist's own answer (its `__dirname`): `require.resolve` would be rewritten by
 * `nest build`'s webpack into a module id.
 */
function swaggerUiDistPath(): string {
  // The package ships no typings.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const absolutePath = require('swagger-ui-dist/absolute-path.js') as () => string;
  return absolutePath();
}

function swaggerUiPage(title: string): string {
  const escaped = title.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escaped}</title>
    <link rel="stylesheet" href="/${API_DOCS_PATH}/swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/${API_DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="/${API_DOCS_PATH}/swagger-ui-standalone-preset.js"></script>
    <script>
      window.ui = SwaggerUIBundle({
        url: '/${OPENAPI_JSON_PATH}',
        dom_id: '#swagger-ui',
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: 'StandaloneLayout',
      });
    </script>
  </body>
</html>
`;
}

function serviceIdentityOf(app: INestApplication): ServiceIdentity {
  try {
    return app.get(ModuleRef).get<ServiceIdentity>(SERVICE_IDENTITY, { strict: false });
  } catch {
    return { service: 'app', transport: 'unknown' };
  }
}

/** `x-correlation-id` as a request header: optional, a new one is made when absent or unusable. */
export const CORRELATION_ID_HEADER = {
  name: HttpHeaders.CorrelationId,
  required: false,
  description:
    'Follows the order through every hop and log line; 1-128 of `[A-Za-z0-9_.:-]`, else a new ' +
    'UUID is used. Echoed in the response.',
  schema: { type: 'string', pattern: '^[\\w.:-]{1,128}$' },
} as const;

/** W3C `traceparent` as a request header: optional, a new trace is started when absent or unusable. */
export const TRACEPARENT_HEADER = {
  name: HttpHeaders.Traceparent,
  required: false,
  description:
    'W3C Trace Context (`00-<32 hex trace id>-<16 hex parent span id>-<2 hex flags>`): the ' +
    "order's events and calls continue this trace; a malformed value starts a new one.",
  schema: { type: 'string', pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
} as const;

/** `Idempotency-Key` on the calls order makes under TRANSPORT=http. */
export const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'The order id (`data.orderId`): a repeat with the same key (a retry) does the work once. A ' +
    'key naming another order is refused with 400 (`fields: ["idempotency-key"]`).',
  schema: { type: 'string', format: 'uuid' },
} as const;
