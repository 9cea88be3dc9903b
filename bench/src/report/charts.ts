import type { RunResult } from '../model';
import type { ChartSpec, Series } from './html';

/** One system's step of a rate search: what the "rates" charts plot. */
export interface RateStep {
  readonly rate: number;
  readonly completedPerSec: number;
  readonly buzzP99Ms: number;
}

/** Completed/s (left axis) and buzz p99 (right axis, dashed) per offered rate, for one system. */
export function rateSeries(system: string, steps: readonly RateStep[]): Series[] {
  const sorted = [...steps].sort((a, b) => a.rate - b.rate);
  if (sorted.length === 0) return [];
  return [
    {
      label: `${system} completed/s`,
      points: sorted.map((s) => ({ x: s.rate, y: s.completedPerSec })),
    },
    {
      label: `${system} buzz p99 ms`,
      points: sorted.map((s) => ({ x: s.rate, y: s.buzzP99Ms })),
      dashed: true,
      axis: 'y2',
    },
  ];
}

/** A chart of rate searches: completed/s and buzz p99 against the offered rate. */
export function rateChart(
  id: string,
  scenario: string,
  title: string,
  series: Series[],
): ChartSpec {
  return {
    id,
    scenario,
    title,
    kind: 'rates',
    xTitle: 'offered orders/s',
    yTitle: 'completed orders/s',
    y2Title: 'buzz p99 ms',
    series,
  };
}

/** Accepted, failed and completed orders per second, and the barista queue's depth (rmq). */
export function orderTimelineSeries(run: RunResult): Series[] {
  const series: Series[] = [
    { label: 'accepted', points: run.timeline.map((p) => ({ x: p.second, y: p.accepted })) },
    { label: 'failed', points: run.timeline.map((p) => ({ x: p.second, y: p.failed })) },
    {
      label: 'completed (buzzed)',
      points: run.timeline.map((p) => ({ x: p.second, y: p.completed })),
    },
  ];
  if (run.timeline.some((p) => p.queueDepth !== undefined)) {
    series.push({
      label: 'barista queue depth',
      points: run.timeline.map((p) => ({ x: p.second, y: p.queueDepth ?? 0 })),
      dashed: true,
      axis: 'y2',
    });
  }
  return series;
}
