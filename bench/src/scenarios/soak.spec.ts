import { SOAK_CRITERIA } from '../plan';
import { judgeSoak, serviceSeries, type ServiceSeries } from './soak';

/** One sample a second over `loadMs`, at `rss(atMs)` MB (and `heap(atMs)` MB, if given). */
function service(
  name: string,
  loadMs: number,
  rss: (atMs: number) => number,
  heap?: (atMs: number) => number,
): ServiceSeries {
  const points = [];
  const heapPoints = [];
  for (let atMs = 0; atMs <= loadMs; atMs += 1000) {
    points.push({ atMs, rssMb: rss(atMs) });
    if (heap) heapPoints.push({ atMs, heapMb: heap(atMs) });
  }
  return { service: name, points, ...(heap ? { heap: heapPoints } : {}) };
}

/** A heap after GC that a major GC sets every 20 s to `level(atMs)`: a step function. */
const everyMajorGc = (level: (atMs: number) => number) => (atMs: number) =>
  level(Math.floor(atMs / 20000) * 20000);

describe('judgeSoak', () => {
  const loadMs = 180000;
  const perSecond = (from: number, to: number) => Math.round(((to - from) / 1000) * 50);

  it('ignores the warm-up and calls steady memory flat', () => {
    // Climbs from 60 to 90 MB during the first 30 s, then stays within a few MB.
    const order = service('order', loadMs, (t) =>
      t < 30000 ? 60 + t / 1000 : 90 + ((t / 1000) % 4),
    );
    const soak = judgeSoak([order], loadMs, SOAK_CRITERIA, perSecond);
    expect(soak.flagged).toBe(false);
    expect(soak.warmupMs).toBe(45000);
    expect(soak.services[0]).toMatchObject({ service: 'order', startMb: 60, grows: false });
    expect(soak.services[0].peakMb).toBe(93);
    expect(Math.abs(soak.services[0].growthMb ?? 99)).toBeLessThan(4);
    expect(soak.verdict).toMatch(/^flat after warm-up: order [+−]\d/);
    expect(soak.verdict).toContain('within max(8 MB, 10 %)');
  });

  it('flags steady growth after warm-up beyond the threshold, with the growth per order', () => {
    // 0.2 MB a second: about 23 MB between the two windows.
    const order = service('order', loadMs, (t) => 80 + (t / 1000) * 0.2);
    const pager = service('pager', loadMs, () => 70);
    const soak = judgeSoak([order, pager], loadMs, SOAK_CRITERIA, perSecond);
    expect(soak.flagged).toBe(true);
    const [grown, flat] = soak.services;
    expect(grown.grows).toBe(true);
    expect(grown.growthMb).toBeCloseTo(23.4, 0);
    // 23.4 MB over the 117 s between the windows' middles at 50 orders/s: about 4 KB per order.
    expect(grown.perOrderKb).toBeCloseTo(4.1, 0);
    expect(flat.grows).toBe(false);
    expect(soak.verdict).toMatch(/^GROWS after warm-up: order \+23\.\d MB/);
    expect(soak.verdict).not.toContain('pager');
  });

  it('does not flag growth under 10 % of a large process, or under 8 MB of a small one', () => {
    const big = service('order', loadMs, (t) => (t < 100000 ? 200 : 215));
    const small = service('pager', loadMs, (t) => (t < 100000 ? 40 : 47));
    const soak = judgeSoak([big, small], loadMs, SOAK_CRITERIA, perSecond);
    expect(soak.services.map((s) => [s.growthMb, s.grows])).toEqual([
      [15, false],
      [7, false],
    ]);
  });

  it('judges an app on its heap after GC: RSS that V8 grows is not a leak', () => {
    // RSS climbs 0.2 MB a second (V8 sizing its heap), the live heap stays at 20–21 MB.
    const order = service(
      'order',
      loadMs,
      (t) => 80 + (t / 1000) * 0.2,
      everyMajorGc((t) => 20 + ((t / 20000) % 2)),
    );
    const soak = judgeSoak([order], loadMs, SOAK_CRITERIA, perSecond);
    expect(soak.services[0]).toMatchObject({ judgedOn: 'heap after GC', grows: false });
    expect(soak.services[0].rssGrowthMb).toBeCloseTo(23.4, 0);
    expect(soak.services[0].heapNote).toBeUndefined();
    expect(soak.flagged).toBe(false);
    expect(soak.verdict).toMatch(/^flat after warm-up: order [+−]\d\.\d MB heap after GC/);
    expect(soak.verdict).toContain('max(4 MB, 10 %) of heap after GC');
  });

  it('flags a heap after GC that keeps growing, above its own floor', () => {
    // 20 MB of live heap growing 0.05 MB a second: about 6 MB between the windows (> 4 MB).
    const order = service(
      'order',
      loadMs,
      () => 90,
      everyMajorGc((t) => 20 + (t / 1000) * 0.05),
    );
    const soak = judgeSoak([order], loadMs, SOAK_CRITERIA, perSecond);
    expect(soak.services[0]).toMatchObject({ judgedOn: 'heap after GC', grows: true });
    expect(soak.services[0].growthMb).toBeGreaterThan(4);
    expect(soak.services[0].rssGrowthMb).toBe(0);
    expect(soak.verdict).toMatch(/^GROWS after warm-up: order \+\d\.\d MB heap after GC/);
  });

  it('falls back to RSS when no major GC happened after warm-up, and says so', () => {
    const order = service(
      'order',
      loadMs,
      (t) => 80 + (t / 1000) * 0.2,
      () => 20,
    );
    const soak = judgeSoak([order], loadMs, SOAK_CRITERIA, perSecond);
    expect(soak.services[0]).toMatchObject({
      judgedOn: 'RSS',
      heapNote: 'no major GC after warm-up (RSS judged)',
      grows: true,
    });
  });

  it('judges nothing when the load after warm-up is too short', () => {
    const order = service('order', 8000, (t) => 80 + t / 100);
    const soak = judgeSoak([order], 8000, SOAK_CRITERIA, perSecond);
    expect(soak.flagged).toBeNull();
    expect(soak.services[0].grows).toBeNull();
    expect(soak.services[0].growthMb).not.toBeNull();
    expect(soak.verdict).toMatch(/^not judged: 6 s of load after the 2 s warm-up, 30 s needed/);
  });
});

describe('serviceSeries', () => {
  it('names each service in the order order, baristas, pager, in MB against load start, with the kernel peak', () => {
    const series = serviceSeries(
      [
        { role: 'pager', instance: 1, points: [] },
        { role: 'barista', instance: 1, points: [{ at: 1500, bytes: 100 * 1024 * 1024 }] },
        {
          role: 'order',
          instance: 1,
          points: [{ at: 995, bytes: 52_500_000 }],
          heap: [{ at: 1200, bytes: 21_000_000 }],
        },
      ],
      1000,
      [{ role: 'barista', instance: 1, pids: [1], cpuSeconds: 0, cpuPercent: 0, peakRssMb: 120 }],
    );
    expect(series).toEqual([
      {
        service: 'order',
        points: [{ atMs: -5, rssMb: 50.1 }],
        heap: [{ atMs: 200, heapMb: 20.03 }],
      },
      { service: 'barista#1', points: [{ atMs: 500, rssMb: 100 }], peakMb: 120 },
      { service: 'pager', points: [] },
    ]);
  });
});
