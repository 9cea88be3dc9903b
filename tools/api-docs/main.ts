import 'reflect-metadata';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkedIn, DOCS_DIR, generateApiDocs } from './api-docs';

/** `npm run docs:api`: writes docs/api/ from the code (and removes files no longer generated). */
async function main(): Promise<void> {
  const files = await generateApiDocs();
  mkdirSync(DOCS_DIR, { recursive: true });
  for (const name of checkedIn()) {
    if (!(name in files)) rmSync(join(DOCS_DIR, name));
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(DOCS_DIR, name), text);
  process.stdout.write(`Wrote ${Object.keys(files).join(', ')} to docs/api/\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
