// `nest generate lib <name>` for this monorepo: @nestjs/schematics' library schematic with the
// `@app` prefix (no prompt), without the `@app/<name>/*` path alias (libraries are used through
// their index.ts only; lint enforces it), and the files it touched formatted by Prettier.
const { chain, externalSchematic } = require('@angular-devkit/schematics');
const { strings } = require('@angular-devkit/core');
const { editJson, formatFiles } = require('./format');

/** @param {{ name: string, prefix?: string, rootDir?: string }} options */
function main(options) {
  const prefix = options.prefix ?? '@app';
  const name = strings.dasherize(options.name);
  const root = `${options.rootDir ?? 'libs'}/${name}`;
  return chain([
    externalSchematic('@nestjs/schematics', 'library', { ...options, prefix }),
    (tree) =>
      editJson(tree, 'tsconfig.json', (tsconfig) => {
        delete tsconfig.compilerOptions?.paths?.[`${prefix}/${name}/*`];
      }),
    formatFiles(['nest-cli.json', 'tsconfig.json', 'package.json'], [root]),
  ]);
}

module.exports = { main };
