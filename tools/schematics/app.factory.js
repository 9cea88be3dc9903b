// `nest generate app <name>` for this monorepo: runs @nestjs/schematics' own sub-app schematic
// (which registers the project in nest-cli.json) and then replaces what it writes for Express
// with this repo's conventions: Fastify through @app/platform, a config class validated at
// start-up, GET /health, no supertest folder, no service, and the files formatted by Prettier.
const { chain, externalSchematic } = require('@angular-devkit/schematics');
const { strings } = require('@angular-devkit/core');
const { editJson, formatFiles } = require('./format');

/** The default port of a generated app; set `<NAME>_PORT` to run it elsewhere. */
const DEFAULT_PORT = 3100;

/** @param {{ name: string, rootDir?: string }} options */
function main(options) {
  const name = strings.dasherize(options.name);
  const root = `${options.rootDir ?? 'apps'}/${name}`;
  return chain([
    externalSchematic('@nestjs/schematics', 'sub-app', options),
    (tree) => {
      for (const file of [
        `src/${name}.service.ts`,
        `src/${name}.controller.ts`,
        `src/${name}.controller.spec.ts`,
        'test/app.e2e-spec.ts',
        'test/jest-e2e.json',
      ]) {
        if (tree.exists(`${root}/${file}`)) tree.delete(`${root}/${file}`);
      }
      for (const [file, content] of Object.entries(appFiles(name))) {
        const target = `${root}/${file}`;
        if (tree.exists(target)) tree.overwrite(target, content);
        else tree.create(target, content);
      }
      editJson(tree, 'package.json', (pkg) => {
        const build = pkg.scripts?.build;
        if (typeof build === 'string' && !build.includes(`nest build ${name}`)) {
          pkg.scripts.build = `${build} && nest build ${name}`;
        }
      });
    },
    formatFiles(['nest-cli.json', 'tsconfig.json', 'package.json'], [root]),
  ]);
}

/** The generated app's files, by path under its root. */
function appFiles(name) {
  const Class = strings.classify(name);
  const ENV = strings.underscore(name).toUpperCase();
  return {
    'tsconfig.app.json': JSON.stringify(
      {
        extends: '../../tsconfig.json',
        compilerOptions: { declaration: false, outDir: `../../dist/apps/${name}` },
        include: ['src/**/*', '../../libs/**/*'],
        exclude: ['node_modules', 'dist', 'test', '**/*spec.ts'],
      },
      null,
      2,
    ),
    'src/main.ts': `import 'reflect-metadata';
import { createHttpApp, loadConfig, runMain } from '@app/platform';
import { Logger } from '@nestjs/common';
import { ${Class}Config } from './${name}.config';
import { ${Class}Module } from './${name}.module';

runMain('${name}', async () => {
  const config = loadConfig(${Class}Config);
  const app = await createHttpApp(${Class}Module.forRoot(config), config);
  await app.listen(config.${ENV}_PORT, config.HOST);
  new Logger('${name}').log(
    \`Listening on http://\${config.HOST}:\${config.${ENV}_PORT} (TRANSPORT=\${config.TRANSPORT})\`,
  );
});
`,
    [`src/${name}.config.ts`]: `import { CommonConfig, IsPort } from '@app/platform';

/** The ${name} app's environment. */
export class ${Class}Config extends CommonConfig {
  @IsPort()
  public readonly ${ENV}_PORT: number = ${DEFAULT_PORT};
}
`,
    [`src/${name}.config.spec.ts`]: `import { ConfigError, loadConfig } from '@app/platform';
import { ${Class}Config } from './${name}.config';

describe('${Class}Config', () => {
  it('has defaults for every variable', () => {
    expect(loadConfig(${Class}Config, {}).${ENV}_PORT).toBe(${DEFAULT_PORT});
  });

  it('refuses a port out of range, naming the variable', () => {
    expect(() => loadConfig(${Class}Config, { ${ENV}_PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadConfig(${Class}Config, { ${ENV}_PORT: '70000' })).toThrow(/${ENV}_PORT/);
  });
});
`,
    [`src/${name}.module.ts`]: `import { HealthController, MetricsModule, SERVICE_IDENTITY } from '@app/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { ${Class}Config } from './${name}.config';

/** The ${name} app's composition root. */
@Module({})
export class ${Class}Module {
  static forRoot(config: ${Class}Config): DynamicModule {
    return {
      module: ${Class}Module,
      imports: [MetricsModule.forRoot('${name}')],
      controllers: [HealthController],
      providers: [
        { provide: ${Class}Config, useValue: config },
        { provide: SERVICE_IDENTITY, useValue: { service: '${name}', transport: config.TRANSPORT } },
      ],
    };
  }
}
`,
  };
}

module.exports = { main };
