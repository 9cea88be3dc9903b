import type { RunResult } from '../model';
import type { Series } from './html';

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
