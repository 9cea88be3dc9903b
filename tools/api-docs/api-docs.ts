import { openApiDocument, TRANSPORTS } from '@app/platform';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { asyncApiDocument } from './asyncapi';
import { CONTEXTS, withApp } from './contexts';

/** Where the generated documents are checked in. */
export const DOCS_DIR = join(__dirname, '..', '..', 'docs', 'api');
export const REGENERATE = 'npm run docs:api';
export const ASYNCAPI_FILE = 'asyncapi.yaml';

/**
 * One OpenAPI file per context, `<context>.openapi.json`, when its routes are the same under
 * both transports; else one per transport, `<context>.<transport>.openapi.json` (order: its
 * `GET /downstreams` exists under http only). What each file holds is what the app serves at
 * `/docs/openapi.json` under that transport.
 */
export function openApiFileName(context: string, transport?: string): string {
  return transport ? `${context}.${transport}.openapi.json` : `${context}.openapi.json`;
}

/** Every document, by file name, as the text to check in. */
export async function generateApiDocs(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const context of CONTEXTS) {
    const texts: string[] = [];
    for (const transport of TRANSPORTS) {
      texts.push(asJson(await withApp(context, transport, openApiDocument)));
    }
    if (texts.every((text) => text === texts[0])) files[openApiFileName(context)] = texts[0];
    else TRANSPORTS.forEach((t, i) => (files[openApiFileName(context, t)] = texts[i]));
  }
  files[ASYNCAPI_FILE] = stringify(await asyncApiDocument(), {
    aliasDuplicateObjects: false,
    lineWidth: 0,
  });
  return files;
}

export function asJson(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The generated files' names in `dir`, besides the README. */
export function checkedIn(dir = DOCS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith('.json') || name.endsWith('.yaml'));
}

/**
 * How the files in `dir` differ from `generated`: one line per stale, missing or extra file,
 * each saying how to mend it. Empty when they agree.
 */
export function driftOf(generated: Record<string, string>, dir = DOCS_DIR): string[] {
  const problems: string[] = [];
  for (const [name, text] of Object.entries(generated)) {
    const path = join(dir, name);
    if (!existsSync(path)) problems.push(`docs/api/${name} is missing`);
    else if (readFileSync(path, 'utf8') !== text) {
      problems.push(
        `docs/api/${name} is out of date (${firstDifference(readFileSync(path, 'utf8'), text)})`,
      );
    }
  }
  for (const name of checkedIn(dir)) {
    if (!(name in generated)) problems.push(`docs/api/${name} is no longer generated`);
  }
  return problems.map((problem) => `${problem}: run \`${REGENERATE}\` and commit docs/api/`);
}

function firstDifference(committed: string, generated: string): string {
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? '')}, code gives ${JSON.stringify(b[at] ?? '')}`;
}
