// docker-compose.yml cannot be run on a machine without a Docker engine, so this suite checks what
// can be checked without one: the file parses, it has the shape the README promises (one
// TRANSPORT switch, a scalable barista), and each app's environment, as compose would resolve it,
// is accepted by that app's own config class, so that a renamed variable or a bad default fails
// here rather than in a container that restarts forever.
// First, as in each app's main.ts: the config classes' decorators need it to record the types
// that loadConfig converts the variables to.
import 'reflect-metadata';
import { ConfigError, loadConfig, type CommonConfig } from '@app/platform';
import { getMetadataStorage } from 'class-validator';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BaristaConfig } from '../apps/barista/src/barista.config';
import { GatewayConfig } from '../apps/gateway/src/gateway.config';
import { OrderConfig } from '../apps/order/src/order.config';
import { allReady, placeMany } from './support/orders';
import { ScaledShop } from './support/scaled-shop';
import { ScratchDatabase } from './support/store-schemas';
import { PagerConfig } from '../apps/pager/src/pager.config';

const ROOT = join(__dirname, '..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

type ConfigClass = new () => CommonConfig;
type Env = Record<string, string>;

interface ComposeService {
  image?: string;
  build?: string | { context?: string; args?: Record<string, string> | string[] };
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: string | number })[];
  expose?: (string | number)[];
  container_name?: string;
  healthcheck?: { test?: string | string[] };
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
  hostname?: string;
  entrypoint?: string | string[];
}

interface ComposeFile {
  services: Record<string, ComposeService & { profiles?: string[]; volumes?: string[] }>;
}

interface PrometheusFile {
  scrape_configs: {
    job_name: string;
    static_configs?: { targets: string[] }[];
    dns_sd_configs?: { names: string[]; type?: string; port: number }[];
  }[];
}

const APPS: { service: string; config: ConfigClass; portVar: string; port: number }[] = [
  { service: 'order', config: OrderConfig, portVar: 'ORDER_PORT', port: 3000 },
  { service: 'barista', config: BaristaConfig, portVar: 'BARISTA_PORT', port: 3001 },
  { service: 'pager', config: PagerConfig, portVar: 'PAGER_PORT', port: 3002 },
];

/** The optional gateway: checked like the apps wherever the check applies to it. */
const GATEWAY = { service: 'gateway', config: GatewayConfig, portVar: 'GATEWAY_PORT', port: 8080 };
const SERVICES = [...APPS, GATEWAY];
/** Replicas of these collide on nothing: reached through the gateway only. */
const SCALABLE = APPS.filter(({ service }) => service !== 'pager');

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;

/**
 * Compose's variable interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}` and `${VAR+alt}`, resolved against `vars` only
 * (never this process's environment, so the result does not depend on who runs the test).
 */
function interpolate(value: string, vars: Env): string {
  const pattern = /\$(?:(\$)|\{([A-Za-z_]\w*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_]\w*))/g;
  return value.replace(
    pattern,
    (_match, dollar?: string, name?: string, op?: string, arg?: string, bare?: string) => {
      if (dollar) return '$';
      if (bare) return vars[bare] ?? '';
      const key = name!;
      const set = key in vars;
      const nonEmpty = set && vars[key] !== '';
      const present = op?.startsWith(':') ? nonEmpty : set;
      switch (op?.slice(-1)) {
        case '-':
          return present ? vars[key] : (arg ?? '');
        case '+':
          return present ? (arg ?? '') : '';
        case '?':
          if (!present) throw new Error(`${key} is required by docker-compose.yml: ${arg}`);
          return vars[key];
        default:
          return vars[key] ?? '';
      }
    },
  );
}

/** A service's `environment`, map or list form, as raw (uninterpolated) strings. */
function rawEnvironment(service: ComposeService): Env {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq < 0 ? [entry, ''] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]),
  );
}

/** What the container's process would see, for the given .env / shell variables. */
function resolvedEnvironment(service: string, vars: Env = {}): Env {
  const raw = rawEnvironment(compose.services[service]);
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [key, interpolate(value, vars)]),
  );
}

/** The variables a config class reads (the same metadata that loadConfig walks). */
function declaredVariables(config: ConfigClass): string[] {
  const names = getMetadataStorage()
    .getTargetValidationMetadatas(config, '', true, false)
    .map((metadata) => metadata.propertyName);
  return [...new Set(names)].sort();
}

function defaultOf(config: ConfigClass, name: string): string {
  const value = (new config() as unknown as Record<string, string | number | undefined>)[name];
  return value === undefined ? '' : String(value);
}

function healthcheckText(service: ComposeService): string {
  const test = service.healthcheck?.test ?? '';
  return Array.isArray(test) ? test.join(' ') : test;
}

/** The container ports a service publishes on the host, e.g. '3000:3000' -> 3000. */
function publishedTargets(service: ComposeService): number[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return Number(port.target);
    const spec = String(port).split('/')[0];
    return Number(spec.split(':').pop());
  });
}

/** A compose CLI that can validate the file offline, if this machine has one. */
function composeCommand(): string[] | undefined {
  for (const command of [['docker', 'compose'], ['docker-compose']]) {
    try {
      execFileSync(command[0], [...command.slice(1), 'version'], { stdio: 'ignore' });
      return command;
    } catch {
      // not installed, or the compose plugin is missing: try the next one
    }
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  it('defines RabbitMQ with its management UI and a ping healthcheck, and the three apps', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      expect.arrayContaining(['barista', 'order', 'pager', 'rabbitmq']),
    );
    const rabbitmq = compose.services.rabbitmq;
    expect(rabbitmq.image).toMatch(/^rabbitmq:3\.13-management/);
    expect(publishedTargets(rabbitmq)).toEqual(expect.arrayContaining([5672, 15672]));
    expect(healthcheckText(rabbitmq)).toMatch(/rabbitmq-diagnostics.*\bping\b/);
  });

  it('switches all three apps with the one TRANSPORT variable', () => {
    const raw = APPS.map(({ service }) => rawEnvironment(compose.services[service]).TRANSPORT);
    expect(raw[0]).toMatch(/^\$\{TRANSPORT(:?-[a-z]+)?\}$/);
    expect(raw).toEqual([raw[0], raw[0], raw[0]]);
  });

  it.each(APPS)(
    '$service is built from the Dockerfile as its own app, listens on 0.0.0.0 and waits for RabbitMQ',
    ({ service }) => {
      const definition = compose.services[service];
      const build = definition.build;
      expect(typeof build === 'object' && !Array.isArray(build.args) && build.args?.APP).toBe(
        service,
      );
      expect(resolvedEnvironment(service).HOST).toBe('0.0.0.0');
      expect(resolvedEnvironment(service).AMQP_URL).toBe('amqp://guest:guest@rabbitmq:5672');
      const dependsOn = definition.depends_on;
      expect(Array.isArray(dependsOn) ? undefined : dependsOn?.rabbitmq?.condition).toBe(
        'service_healthy',
      );
    },
  );

  it.each(SCALABLE)(
    'lets $service scale: no fixed host port, no container name',
    ({ service, port }) => {
      const definition = compose.services[service];
      expect(definition.ports ?? []).toEqual([]);
      expect(definition.container_name).toBeUndefined();
      expect((definition.expose ?? []).map(Number)).toContain(port);
    },
  );

  it('reaches barista through the gateway and pager by its service name under http', () => {
    const order = resolvedEnvironment('order');
    expect(order.BARISTA_URL).toBe('http://gateway:8080');
    expect(order.PAGER_URL).toBe('http://pager:3002');
  });

  it('gives every service a healthcheck', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      expect({ name, healthcheck: healthcheckText(service) }).toEqual({
        name,
        healthcheck: expect.stringMatching(/\S/),
      });
    }
  });

  describe('cluster (profile)', () => {
    const NODES = ['rabbitmq', 'rabbitmq-2', 'rabbitmq-3'];
    const CLUSTER_URL = NODES.map((node) => `amqp://guest:guest@${node}:5672`).join(',');
    const clusterConf = readFileSync(join(ROOT, 'rabbitmq/cluster.conf'), 'utf8');
    const nodeScript = readFileSync(join(ROOT, 'rabbitmq/cluster-node.sh'), 'utf8');

    it.each(['rabbitmq-2', 'rabbitmq-3'])(
      '%s runs only with the cluster profile, the same image as rabbitmq, its own data',
      (name) => {
        const node = compose.services[name];
        expect(node.profiles).toEqual(['cluster']);
        expect(node.image).toBe(compose.services.rabbitmq.image);
        expect(node.hostname).toBe(name);
        expect(node.volumes).toEqual(
          expect.arrayContaining([
            `${name}-data:/var/lib/rabbitmq`,
            // rabbitmq's volume, read-only: where the shared Erlang cookie comes from.
            'rabbitmq-data:/seed:ro',
            './rabbitmq/cluster.conf:/etc/rabbitmq/conf.d/20-cluster.conf:ro',
          ]),
        );
        const script = node.volumes?.find((volume) =>
          volume.startsWith('./rabbitmq/cluster-node.sh:'),
        );
        expect(script?.split(':')[1]).toBe([node.entrypoint].flat()[0]);
        const dependsOn = node.depends_on as Record<string, { condition?: string }>;
        expect(dependsOn.rabbitmq.condition).toBe('service_healthy');
        // Healthy only as a member of rabbitmq's cluster.
        expect(healthcheckText(node)).toMatch(/cluster_status.*rabbit@rabbitmq\b/);
      },
    );

    it("joins the nodes by their host names, with rabbitmq's cookie", () => {
      const listed = [
        ...clusterConf.matchAll(/^cluster_formation\.classic_config\.nodes\.\d+ = (\S+)$/gm),
      ];
      expect(listed.map((match) => match[1])).toEqual(
        NODES.map((name) => `rabbit@${compose.services[name].hostname}`),
      );
      expect(clusterConf).toMatch(/^cluster_formation\.peer_discovery_backend = classic_config$/m);
      expect(nodeScript).toContain('/seed/.erlang.cookie /var/lib/rabbitmq/.erlang.cookie');
      expect(nodeScript).toMatch(/exec docker-entrypoint\.sh rabbitmq-server\s*$/);
    });

    it.each(APPS)(
      '$service waits for every node that runs, and takes the nodes as AMQP_URL',
      ({ service, config }) => {
        const dependsOn = compose.services[service].depends_on as Record<
          string,
          { condition?: string; required?: boolean }
        >;
        for (const node of NODES) expect(dependsOn[node]?.condition).toBe('service_healthy');
        // Without the profile the other nodes are not there, and nothing waits for them.
        expect([dependsOn['rabbitmq-2'].required, dependsOn['rabbitmq-3'].required]).toEqual([
          false,
          false,
        ]);
        const env = resolvedEnvironment(service, { AMQP_URL: CLUSTER_URL });
        expect(loadConfig(config, env).AMQP_URL).toBe(CLUSTER_URL);
      },
    );
  });

  describe('prometheus (profile)', () => {
    const prometheus = compose.services.prometheus;
    const file = parse(readFileSync(join(ROOT, 'prometheus.yml'), 'utf8')) as PrometheusFile;

    it('runs only with its profile, with the checked-in prometheus.yml', () => {
      expect(prometheus.profiles).toEqual(['prometheus']);
      expect(prometheus.image).toMatch(/^prom\/prometheus:v\d/);
      expect(prometheus.volumes).toContain('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    });

    it("scrapes every app's /metrics by its service name and port, each barista replica by DNS", () => {
      const targets = new Map<string, string[]>();
      for (const job of file.scrape_configs) {
        const found = [
          ...(job.static_configs ?? []).flatMap((config) => config.targets),
          ...(job.dns_sd_configs ?? []).flatMap((config) =>
            config.names.map((name) => `${name}:${config.port}`),
          ),
        ];
        targets.set(job.job_name, found);
      }
      // Plus the broker's own plugin endpoint.
      expect(targets.get('rabbitmq')).toEqual(['rabbitmq:15692']);
      targets.delete('rabbitmq');
      expect([...targets.keys()].sort()).toEqual(SERVICES.map(({ service }) => service).sort());
      for (const { service, port } of SERVICES) {
        expect(compose.services[service]).toBeDefined();
        expect({ service, targets: targets.get(service) }).toEqual({
          service,
          targets: [`${service}:${port}`],
        });
      }
      const barista = file.scrape_configs.find((job) => job.job_name === 'barista');
      expect(barista?.dns_sd_configs?.[0]).toMatchObject({ names: ['barista'], type: 'A' });
    });
  });

  describe('the gateway', () => {
    const gateway = compose.services.gateway;

    it('is built from the Dockerfile as its own app and published on 8080', () => {
      const build = gateway.build;
      expect(typeof build === 'object' && !Array.isArray(build.args) && build.args?.APP).toBe(
        'gateway',
      );
      expect(publishedTargets(gateway)).toEqual([8080]);
    });

    it("routes to each app by its service name and port, the apps' own ports", () => {
      const config = loadConfig(GatewayConfig, resolvedEnvironment('gateway'));
      expect(config).toMatchObject({
        ORDER_UPSTREAMS: 'http://order:3000',
        BARISTA_UPSTREAMS: 'http://barista:3001',
        PAGER_UPSTREAMS: 'http://pager:3002',
      });
      for (const { service, port } of APPS) {
        const targets = [...publishedTargets(compose.services[service])];
        targets.push(...(compose.services[service].expose ?? []).map(Number));
        expect({ service, targets }).toEqual({ service, targets: expect.arrayContaining([port]) });
      }
    });

    it("outwaits order's own wait for barista, so that order answers first under http", () => {
      const order = loadConfig(OrderConfig, resolvedEnvironment('order'));
      const config = loadConfig(GatewayConfig, resolvedEnvironment('gateway'));
      expect(config.BARISTA_UPSTREAM_TIMEOUT_MS).toBeGreaterThan(order.BARISTA_TIMEOUT_MS);
      expect(config.ORDER_UPSTREAM_TIMEOUT_MS).toBeGreaterThan(
        order.BARISTA_TIMEOUT_MS + order.PAGER_TIMEOUT_MS,
      );
    });

    it('starts with no wait cycle: order waits for it started, never healthy', () => {
      const conditions = (name: string) => {
        const dependsOn = compose.services[name].depends_on ?? {};
        return Array.isArray(dependsOn)
          ? Object.fromEntries(dependsOn.map((dep) => [dep, 'service_started']))
          : Object.fromEntries(
              Object.entries(dependsOn).map(([dep, { condition }]) => [dep, condition]),
            );
      };
      expect(conditions('order')).toEqual({
        rabbitmq: 'service_healthy',
        postgres: 'service_healthy',
        'rabbitmq-2': 'service_healthy',
        'rabbitmq-3': 'service_healthy',
        gateway: 'service_started',
      });
      // Whatever the gateway waits for must not wait for order (or for the gateway).
      const waits = (from: string, seen = new Set<string>()): Set<string> => {
        for (const dep of Object.keys(conditions(from))) {
          if (!seen.has(dep)) waits(dep, seen.add(dep));
        }
        return seen;
      };
      expect([...waits('gateway')]).not.toContain('order');
      expect([...waits('gateway')]).not.toContain('gateway');
    });
  });

  describe.each(['http', 'rmq'])('with TRANSPORT=%s', (transport) => {
    it.each(SERVICES)(
      "$service's environment is accepted by its config class",
      ({ service, config, portVar, port }) => {
        const env = resolvedEnvironment(service, { TRANSPORT: transport });
        const loaded = loadConfig(config, env) as CommonConfig & Record<string, unknown>;
        expect(loaded.TRANSPORT).toBe(transport);
        expect(loaded.HOST).toBe('0.0.0.0');
        expect(loaded[portVar]).toBe(port);
      },
    );
  });

  it('defaults to rmq when TRANSPORT is not set', () => {
    for (const { service, config } of APPS) {
      expect(loadConfig(config, resolvedEnvironment(service)).TRANSPORT).toBe('rmq');
    }
  });

  it.each(SERVICES)(
    '$service sets only variables its config class reads (no typos, no other app’s settings)',
    ({ service, config }) => {
      const declared = declaredVariables(config);
      // OTEL_* are OpenTelemetry's standard variables, read by its SDK (@app/telemetry).
      const unknown = Object.keys(rawEnvironment(compose.services[service])).filter(
        (name) => !declared.includes(name) && !name.startsWith('OTEL_'),
      );
      expect(unknown).toEqual([]);
    },
  );

  it.each(SERVICES)(
    "$service's healthcheck and port match the port it listens on",
    ({ service, portVar, port }) => {
      const definition = compose.services[service];
      expect(resolvedEnvironment(service)[portVar]).toBe(String(port));
      expect(healthcheckText(definition)).toContain(`http://127.0.0.1:${port}/health`);
      if (!SCALABLE.some((scalable) => scalable.service === service))
        expect(publishedTargets(definition)).toEqual([port]);
    },
  );

  it("falls back on the apps' own defaults for every tunable except TRANSPORT", () => {
    const interpolated = /^\$\{([A-Z_][A-Z0-9_]*):?-([^}]*)\}$/;
    let checked = 0;
    for (const { service, config } of SERVICES) {
      for (const [name, raw] of Object.entries(rawEnvironment(compose.services[service]))) {
        const match = interpolated.exec(raw);
        // AMQP_URL falls back on the broker's service name, not on the apps' 127.0.0.1.
        if (!match || ['TRANSPORT', 'AMQP_URL'].includes(name) || name.startsWith('OTEL_'))
          continue;
        expect({ name, variable: match[1] }).toEqual({ name, variable: name });
        expect({ name, fallback: match[2] }).toEqual({ name, fallback: defaultOf(config, name) });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('rejects a wrong value with a message naming the variable', () => {
    const brew = resolvedEnvironment('barista', { BREW_MS: 'abc' });
    expect(brew.BREW_MS).toBe('abc');
    expect(() => loadConfig(BaristaConfig, brew)).toThrow(ConfigError);
    expect(() => loadConfig(BaristaConfig, brew)).toThrow(/BREW_MS="abc": accepts a whole number/);

    const transport = resolvedEnvironment('order', { TRANSPORT: 'grpc' });
    expect(() => loadConfig(OrderConfig, transport)).toThrow(
      /TRANSPORT="grpc": accepts http or rmq/,
    );
  });

  it('is accepted by `docker compose config` for both transports, where a compose CLI exists', () => {
    const command = composeCommand();
    if (!command) {
      // No Docker Compose on this machine (the docker CLI here has no compose plugin): the
      // checks above are what can be verified.
      console.info('docker compose not installed: skipped `docker compose config -q`');
      return;
    }
    for (const transport of ['http', 'rmq']) {
      const run = () =>
        execFileSync(command[0], [...command.slice(1), '-f', COMPOSE_FILE, 'config', '-q'], {
          cwd: ROOT,
          env: { ...process.env, TRANSPORT: transport },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      expect(run).not.toThrow();
    }
  });
});

/**
 * An env file as `docker compose --env-file` reads it: `KEY=value` lines, `#` comments, blank
 * lines; a value may be quoted. (Enough for the files checked in here, not every form Compose
 * accepts.)
 */
function readEnvFile(path: string): Env {
  const vars: Env = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_]\w*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || line.trimStart().startsWith('#')) continue;
    vars[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}

describe('the postgres profile (docker compose --env-file postgres.env up --scale order=2)', () => {
  const vars = readEnvFile(join(ROOT, 'postgres.env'));
  const postgres = compose.services.postgres;
  const storeConfig = (service: string, config: ConfigClass, given: Env) =>
    loadConfig(config, resolvedEnvironment(service, given)) as CommonConfig & {
      DATABASE_URL?: string;
      DATABASE_POOL_MAX: number;
    };

  it('is a PostgreSQL 15 service of its own profile, with a pg_isready healthcheck and a volume', () => {
    expect(postgres.profiles).toEqual(['postgres']);
    expect(postgres.image).toBe('postgres:15');
    expect(healthcheckText(postgres)).toMatch(/^CMD pg_isready\b/);
    const server = resolvedEnvironment('postgres');
    expect(healthcheckText(postgres)).toContain(`-U ${server.POSTGRES_USER}`);
    expect(healthcheckText(postgres)).toContain(`-d ${server.POSTGRES_DB}`);
    expect(postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    // Inside the compose network only: the apps reach it by name, nothing else needs it.
    expect(postgres.ports ?? []).toEqual([]);
  });

  it('turns the profile on and points DATABASE_URL at the postgres service and its account', () => {
    expect(vars.COMPOSE_PROFILES.split(',')).toContain('postgres');
    const server = resolvedEnvironment('postgres');
    const url = new URL(vars.DATABASE_URL);
    expect({
      protocol: url.protocol,
      host: url.hostname,
      port: url.port,
      user: url.username,
      password: url.password,
      database: url.pathname.slice(1),
    }).toEqual({
      protocol: 'postgres:',
      host: 'postgres',
      port: '5432',
      user: server.POSTGRES_USER,
      password: server.POSTGRES_PASSWORD,
      database: server.POSTGRES_DB,
    });
  });

  it('sets only variables the apps read (and Compose its profiles)', () => {
    const declared = new Set(SERVICES.flatMap(({ config }) => declaredVariables(config)));
    const unknown = Object.keys(vars).filter(
      (name) => name !== 'COMPOSE_PROFILES' && !declared.has(name),
    );
    expect(unknown).toEqual([]);
  });

  describe.each(['http', 'rmq'])('with TRANSPORT=%s', (transport) => {
    it.each(APPS)(
      "$service's environment is accepted by its config class, on the postgres service",
      ({ service, config }) => {
        const loaded = storeConfig(service, config, { ...vars, TRANSPORT: transport });
        expect(loaded.TRANSPORT).toBe(transport);
        expect(loaded.DATABASE_URL).toBe(vars.DATABASE_URL);
        expect(new URL(loaded.DATABASE_URL!).hostname).toBe('postgres');
        expect(loaded.DATABASE_POOL_MAX).toBe(Number(vars.DATABASE_POOL_MAX));
      },
    );
  });

  it.each(APPS)(
    '$service waits for postgres to be healthy, only when the profile runs it',
    ({ service, config }) => {
      const dependsOn = compose.services[service].depends_on;
      expect(Array.isArray(dependsOn) ? undefined : dependsOn?.postgres).toEqual({
        condition: 'service_healthy',
        required: false,
      });
      // Without the profile DATABASE_URL is empty, which the config reads as unset: SQLite.
      expect(storeConfig(service, config, {}).DATABASE_URL).toBeUndefined();
    },
  );

  it('keeps the gateway off the database, and finds every order replica by its service name', () => {
    expect(resolvedEnvironment('gateway', vars).DATABASE_URL).toBeUndefined();
    expect(loadConfig(GatewayConfig, resolvedEnvironment('gateway', vars)).ORDER_UPSTREAMS).toBe(
      'http://order:3000',
    );
    // Only the gateway (and pager, for direct access) publish a host port: order's replicas
    // collide on nothing.
    expect(compose.services.order.ports ?? []).toEqual([]);
    const published = Object.entries(compose.services)
      .filter(([, service]) => !service.profiles && (service.ports ?? []).length > 0)
      .map(([name]) => name);
    expect(published.sort()).toEqual(['gateway', 'pager', 'rabbitmq']);
  });

  it("keeps 2 orders, 3 baristas and a pager within the server's 100 connections", () => {
    const pool = (service: string, config: ConfigClass) =>
      storeConfig(service, config, vars).DATABASE_POOL_MAX;
    // Order and pager each hold one more connection: the one that LISTENs (PgNotifications).
    const connections =
      2 * (pool('order', OrderConfig) + 1) +
      3 * pool('barista', BaristaConfig) +
      (pool('pager', PagerConfig) + 1);
    expect(connections).toBeLessThanOrEqual(90);
  });
});

/**
 * What a scaled shop can take from compose's environment: everything but where things are
 * (hosts, ports, URLs, file paths), which the test's processes on one machine set themselves.
 */
function portableEnvironment(vars: Env): Env {
  const merged = Object.assign(
    {},
    ...APPS.map(({ service }) => resolvedEnvironment(service, vars)),
  );
  return Object.fromEntries(
    Object.entries(merged as Env).filter(
      ([name, value]) => value !== '' && !/(^HOST|_URL|_PORT|_PATH|_ENDPOINT)$/.test(name),
    ),
  );
}

describe('the postgres profile, run: 2 orders behind the gateway with the settings compose gives them', () => {
  const vars = readEnvFile(join(ROOT, 'postgres.env'));
  let database: ScratchDatabase;
  let shop: ScaledShop;

  beforeAll(async () => {
    database = await ScratchDatabase.create();
    shop = await ScaledShop.start({
      transport: 'rmq',
      instances: { order: 2, barista: 1, pager: 1 },
      databaseUrl: database.url,
      env: portableEnvironment(vars),
    });
  }, 300_000);

  afterAll(async () => {
    await shop?.close();
    await database?.drop();
  }, 60_000);

  it('takes orders through the gateway, each ready through either order replica', async () => {
    const env = portableEnvironment(vars);
    // The settings under test are compose's, not the harness's defaults.
    expect(env).toMatchObject({
      AMQP_QUEUE_TYPE: 'quorum',
      DATABASE_POOL_MAX: vars.DATABASE_POOL_MAX,
    });
    const placed = await placeMany(shop.url, 40, 8);
    expect(placed.map((p) => p.status)).toEqual(Array(40).fill(202));
    const ids = placed.map((p) => p.id!);
    for (const url of shop.urls('order')) await allReady(url, ids, 120_000);
  }, 300_000);
});

describe('.env.example', () => {
  const documented = new Map<string, string>();
  for (const line of readFileSync(join(ROOT, '.env.example'), 'utf8').split('\n')) {
    const match = /^#?\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) documented.set(match[1], match[2].trim());
  }

  it.each(SERVICES)('documents every variable $service reads, with its default', ({ config }) => {
    const declared = declaredVariables(config);
    expect(declared.length).toBeGreaterThan(7);
    for (const name of declared) {
      expect({ name, documented: documented.get(name) }).toEqual({
        name,
        documented: defaultOf(config, name),
      });
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('starts the app named by APP from its webpack bundle, listening on every interface', () => {
    expect(dockerfile).toMatch(/^FROM node:20-slim|^ARG NODE_IMAGE=node:20-slim/m);
    expect(dockerfile).toMatch(/^ENV APP=\$\{APP\}/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/^CMD .*dist\/apps\/\$\{APP\}\/main\.js/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });

  it('builds apps that nest-cli.json knows', () => {
    const nestCli = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as {
      projects: Record<string, { type: string }>;
    };
    for (const { service } of SERVICES) {
      expect(nestCli.projects[service]?.type).toBe('application');
    }
  });
});
