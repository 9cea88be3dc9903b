import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { telemetryWanted } from './sdk';

describe('telemetryWanted', () => {
  it('is off by default, so that the benchmark pays nothing', () => {
    expect(telemetryWanted({})).toBe(false);
  });

  it('is on with an OTLP endpoint, or when OTEL_SDK_DISABLED=false', () => {
    expect(telemetryWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' })).toBe(true);
    expect(telemetryWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://j:4318/v1/traces' })).toBe(
      true,
    );
    expect(telemetryWanted({ OTEL_SDK_DISABLED: 'false' })).toBe(true);
  });

  it('stays off when OTEL_SDK_DISABLED=true, whatever else is set', () => {
    expect(
      telemetryWanted({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://j:4318' }),
    ).toBe(false);
  });
});

describe("an app's first import (apps/<app>/src/telemetry.ts)", () => {
  const root = join(__dirname, '..', '..', '..');
  /** The @opentelemetry packages a fresh Node process has loaded after order's telemetry.ts. */
  const loadedAfterTelemetry = (env: NodeJS.ProcessEnv): string[] => {
    const script =
      "require('./apps/order/src/telemetry');" +
      'const names = Object.keys(require.cache).flatMap((file) => {' +
      '  const match = /node_modules[\\\\/](@opentelemetry[\\\\/][^\\\\/]+)/.exec(file);' +
      "  return match ? [match[1].replace('\\\\', '/')] : [];" +
      '});' +
      'process.stdout.write(JSON.stringify([...new Set(names)]));' +
      'process.exit(0);';
    const run = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', '-e', script],
      { cwd: root, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', timeout: 100_000 },
    );
    if (run.status !== 0) throw new Error(`node exited ${run.status}: ${run.stderr}`);
    return JSON.parse(run.stdout) as string[];
  };

  it('does not load the SDK when tracing is off: only the API, whose calls are no-ops', () => {
    const loaded = loadedAfterTelemetry({});
    expect(loaded).toContain('@opentelemetry/api');
    expect(loaded).not.toContain('@opentelemetry/sdk-node');
    expect(
      loaded.filter((name) => name.includes('sdk') || name.includes('instrumentation')),
    ).toEqual([]);
  }, 120_000);

  it('loads the SDK and the instrumentations with an OTLP endpoint', () => {
    const loaded = loadedAfterTelemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' });
    expect(loaded).toEqual(
      expect.arrayContaining(['@opentelemetry/sdk-node', '@opentelemetry/instrumentation-http']),
    );
  }, 120_000);
});
