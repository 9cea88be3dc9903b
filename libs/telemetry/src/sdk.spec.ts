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
