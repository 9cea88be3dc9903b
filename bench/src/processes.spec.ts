import { gaugeValue, HEAP_AFTER_GC_METRIC } from './processes';

describe('gaugeValue', () => {
  const exposition = [
    '# HELP nodejs_heap_used_after_major_gc_bytes V8 heap used right after the last major GC.',
    '# TYPE nodejs_heap_used_after_major_gc_bytes gauge',
    'nodejs_heap_used_after_major_gc_bytes{service="order"} 21345678',
    'nodejs_heap_total_after_major_gc_bytes 40000000',
    'http_requests_total{route="/orders"} 5',
  ].join('\n');

  it('reads a gauge by its exact name, with or without labels', () => {
    expect(gaugeValue(exposition, HEAP_AFTER_GC_METRIC)).toBe(21345678);
    expect(gaugeValue(exposition, 'nodejs_heap_total_after_major_gc_bytes')).toBe(40000000);
  });

  it('is null for an absent gauge, or one still at 0 (no major GC yet)', () => {
    expect(gaugeValue('process_cpu_seconds_total 1', HEAP_AFTER_GC_METRIC)).toBeNull();
    expect(gaugeValue(`${HEAP_AFTER_GC_METRIC} 0`, HEAP_AFTER_GC_METRIC)).toBeNull();
    expect(gaugeValue(`${HEAP_AFTER_GC_METRIC} 2.5e+7`, HEAP_AFTER_GC_METRIC)).toBe(25000000);
  });
});
