import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './support/client';
import { freePort, ROOT } from './support/spawned-app';

const run = promisify(execFile);

/** Top-level entries of the repo not copied: installed, built or run-time state. */
const NOT_COPIED = new Set(['node_modules', 'dist', 'data', 'results', 'coverage', '.git']);

// `nest generate app` and `nest generate lib`, through the repo's own collection
// (tools/schematics, set in nest-cli.json), in a copy of the repo: what they produce must build,
// lint, type-check and start. The real working tree is never touched.
describe('Nest CLI generators', () => {
  let dir: string;
  let app: ChildProcess | undefined;

  /** Runs a bin script (path under node_modules) with node in the copy, failing with its output. */
  async function bin(pkgBin: string, ...args: string[]): Promise<string> {
    try {
      const { stdout } = await run(
        process.execPath,
        [join(ROOT, 'node_modules', pkgBin), ...args],
        {
          cwd: dir,
          env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
        },
      );
      return stdout;
    } catch (error) {
      const {
        message,
        stdout = '',
        stderr = '',
      } = error as Error & {
        stdout?: string;
        stderr?: string;
      };
      throw new Error(
        `${basename(pkgBin)} ${args.join(' ')} failed: ${message}\n${stdout}\n${stderr}`,
      );
    }
  }
  const nest = (...args: string[]) => bin('@nestjs/cli/bin/nest.js', ...args);
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coffee-shop-generators-'));
    cpSync(ROOT, dir, {
      recursive: true,
      filter: (source) => source === ROOT || !NOT_COPIED.has(basename(source)),
    });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    await nest('generate', 'app', 'kitchen');
    await nest('generate', 'lib', 'toolbox');
  }, 30_000);

  afterAll(async () => {
    if (app && app.exitCode === null) {
      const exited = new Promise((resolve) => app?.once('exit', resolve));
      app.kill('SIGKILL');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a Fastify app with a validated config and /health, no Express, supertest or service', () => {
    const main = read('apps/kitchen/src/main.ts');
    expect(main).toContain('createHttpApp(KitchenModule.forRoot(config), config)');
    expect(main).toContain("runMain('kitchen'");
    expect(main).not.toMatch(/express/i);
    expect(read('apps/kitchen/src/kitchen.config.ts')).toContain(
      'export class KitchenConfig extends CommonConfig',
    );
    expect(read('apps/kitchen/src/kitchen.module.ts')).toContain('controllers: [HealthController]');
    expect(existsSync(join(dir, 'apps/kitchen/test'))).toBe(false);
    expect(existsSync(join(dir, 'apps/kitchen/src/kitchen.service.ts'))).toBe(false);
    expect(JSON.parse(read('nest-cli.json')).projects.kitchen.root).toBe('apps/kitchen');
    expect(JSON.parse(read('package.json')).scripts.build).toContain('nest build kitchen');
  });

  it('adds the library as @app/<name> only, through its index.ts', () => {
    const paths = JSON.parse(read('tsconfig.json')).compilerOptions.paths;
    expect(paths['@app/toolbox']).toEqual(['libs/toolbox/src']);
    expect(paths['@app/toolbox/*']).toBeUndefined();
    expect(existsSync(join(dir, 'libs/toolbox/src/index.ts'))).toBe(true);
  });

  it('leaves the project formatted, linted, type-checked and within the dependency rules', async () => {
    const generated = ['apps/kitchen', 'libs/toolbox'];
    await bin(
      'prettier/bin/prettier.cjs',
      '--check',
      'nest-cli.json',
      'tsconfig.json',
      'package.json',
      ...generated,
    );
    await bin('eslint/bin/eslint.js', '--max-warnings', '0', ...generated);
    await bin('typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit');
    await bin(
      'dependency-cruiser/bin/dependency-cruise.mjs',
      ...generated,
      '--config',
      '.dependency-cruiser.js',
    );
  });

  it("passes the generated app's own unit spec", async () => {
    await bin(
      'jest/bin/jest.js',
      '--selectProjects',
      'unit',
      '--testPathPatterns',
      'apps/kitchen/',
    );
  });

  it('builds the app with `nest build`, and the built app answers /health and /metrics', async () => {
    await nest('build', 'kitchen');
    const port = await freePort();
    let output = '';
    app = spawn(process.execPath, ['dist/apps/kitchen/main.js'], {
      cwd: dir,
      env: { PATH: process.env.PATH, NO_COLOR: '1', KITCHEN_PORT: String(port) },
    });
    app.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    app.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const health = await eventually('kitchen to answer /health', async () => {
      if (app?.exitCode !== null) throw new Error(`kitchen exited: ${output}`);
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', service: 'kitchen', transport: 'http' });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('http_request_duration_seconds_count{service="kitchen"');
  });
});
