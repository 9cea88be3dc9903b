import { envelope, EventTypes, type OrderPlaced } from '@app/contracts';
import { topology } from '@app/messaging';
import { freePort } from '@app/platform';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { AMQP_URL, Broker } from './support/amqp';
import { anOrder, eventually } from './support/client';
import { ROOT } from './support/spawned-app';

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
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  /** Replaces `from` (which must be there) with `to` in a file of the copy. */
  const edit = (file: string, from: string, to: string) => {
    const text = read(file);
    if (!text.includes(from)) throw new Error(`${file} no longer contains: ${from}`);
    write(file, text.replace(from, to));
  };

  /** Starts the built kitchen with `env`; the function returned gives its output so far. */
  function startKitchen(env: Record<string, string>): () => string {
    let output = '';
    app = spawn(process.execPath, ['dist/apps/kitchen/main.js'], {
      cwd: dir,
      env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    });
    app.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    app.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return () => output;
  }

  async function stopKitchen(): Promise<void> {
    if (app && app.exitCode === null) {
      const exited = new Promise((resolve) => app?.once('exit', resolve));
      app.kill('SIGKILL');
      await exited;
    }
    app = undefined;
  }

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
    await stopKitchen();
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
    // tsc, eslint and dependency-cruiser over the whole copied repo: about half a minute alone,
    // several on a machine busy with other work.
  }, 300_000);

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
    const output = startKitchen({ KITCHEN_PORT: String(port) });
    const health = await eventually('kitchen to answer /health', async () => {
      if (app?.exitCode !== null) throw new Error(`kitchen exited: ${output()}`);
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', service: 'kitchen', transport: 'http' });
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('http_request_duration_seconds_count{service="kitchen"');
    await stopKitchen();
  });

  // The README's walk-through ("a kitchen context that reacts to OrderPlaced"), steps 2 to 4, done
  // to the generated app as written there; then an OrderPlaced on the shop's exchange reaches it
  // on a queue of its own, with order and barista unchanged.
  describe('the README walk-through: kitchen subscribes to OrderPlaced (rmq)', () => {
    const namespace = `e2e-kitchen-${randomUUID().slice(0, 8)}`;
    let broker: Broker;

    beforeAll(async () => {
      broker = await Broker.connect();
      write(
        'apps/kitchen/src/application/commands/prepare-food/prepare-food.message.controller.ts',
        `import { EventTypes, OrderPlaced } from '@app/contracts';
import { AcknowledgeInterceptor, messageValidationPipe } from '@app/messaging';
import { Controller, Logger, UseInterceptors } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

@Controller()
@UseInterceptors(AcknowledgeInterceptor) // ack after the handler; retries, then dead letters
export class PrepareFoodMessageController {
  private readonly logger = new Logger('Kitchen');

  @EventPattern(EventTypes.OrderPlaced)
  onOrderPlaced(@Payload(messageValidationPipe()) order: OrderPlaced): void {
    this.logger.log({ msg: 'Preparing food', orderId: order.data.orderId });
  }
}
`,
      );
      const module = 'apps/kitchen/src/kitchen.module.ts';
      edit(
        module,
        "import { type DynamicModule, Module } from '@nestjs/common';",
        `import { RmqMessagingModule, rmqMessagingOptions } from '@app/messaging';
import { type DynamicModule, Module } from '@nestjs/common';
import { PrepareFoodMessageController } from './application/commands/prepare-food/prepare-food.message.controller';`,
      );
      edit(
        module,
        "imports: [MetricsModule.forRoot('kitchen')],",
        `imports: [
        MetricsModule.forRoot('kitchen'),
        ...(config.TRANSPORT === 'rmq' ? [RmqMessagingModule.forRoot(kitchenMessaging(config))] : []),
      ],`,
      );
      edit(
        module,
        'controllers: [HealthController],',
        "controllers: [HealthController, ...(config.TRANSPORT === 'rmq' ? [PrepareFoodMessageController] : [])],",
      );
      write(
        module,
        `${read(module)}
export const kitchenMessaging = (config: KitchenConfig) =>
  rmqMessagingOptions(config, 'kitchen', 10);
`,
      );
      const main = 'apps/kitchen/src/main.ts';
      edit(
        main,
        "import { createHttpApp, loadConfig, runMain } from '@app/platform';",
        `import { createServiceApp } from '@app/messaging';
import { loadConfig, runMain } from '@app/platform';`,
      );
      edit(
        main,
        "import { KitchenModule } from './kitchen.module';",
        "import { KitchenModule, kitchenMessaging } from './kitchen.module';",
      );
      edit(
        main,
        'createHttpApp(KitchenModule.forRoot(config), config)',
        "createServiceApp(KitchenModule.forRoot(config), config, config.TRANSPORT === 'rmq' ? kitchenMessaging(config) : undefined)",
      );
      await bin('prettier/bin/prettier.cjs', '--write', 'apps/kitchen');
      await bin('eslint/bin/eslint.js', '--max-warnings', '0', 'apps/kitchen');
      await nest('build', 'kitchen');
    }, 120_000);

    afterAll(async () => {
      await stopKitchen();
      await broker?.deleteNamespace(namespace, ['kitchen']);
      await broker?.close();
    });

    it('consumes OrderPlaced from its own queue <ns>.kitchen, bound by the patterns it handles', async () => {
      const port = await freePort();
      const output = startKitchen({
        KITCHEN_PORT: String(port),
        TRANSPORT: 'rmq',
        AMQP_NAMESPACE: namespace,
        AMQP_URL,
      });
      const health = await eventually('kitchen (rmq) to be ready', async () => {
        if (app?.exitCode !== null) throw new Error(`kitchen exited: ${output()}`);
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        return response.status === 200
          ? ((await response.json()) as Record<string, unknown>)
          : undefined;
      });
      expect(health).toMatchObject({ service: 'kitchen', transport: 'rmq' });

      const request = anOrder('Grace');
      const event = envelope<OrderPlaced>(
        EventTypes.OrderPlaced,
        {
          orderId: randomUUID(),
          customer: request.customer,
          items: request.items,
          placedAt: new Date().toISOString(),
        },
        { correlationId: `kitchen-${randomUUID()}` },
      );
      await broker.publishEvent(namespace, event);

      const line = await eventually('kitchen to log the order', () =>
        Promise.resolve(
          output()
            .split('\n')
            .find((l) => l.includes('Preparing food') && l.includes(event.data.orderId)),
        ),
      );
      expect(JSON.parse(line)).toMatchObject({
        app: 'kitchen',
        msg: 'Preparing food',
        orderId: event.data.orderId,
        correlationId: event.correlationId,
      });
      const queue = topology(namespace).queue('kitchen');
      expect(await broker.consumerCount(queue)).toBe(1);
      await eventually('the message acked', async () =>
        (await broker.messageCount(queue)) === 0 ? true : undefined,
      );
    });
  });
});
