import type { BenchResults } from '../model';

/** results.json: every figure of the run, pretty-printed for diffs. */
export function jsonReport(results: BenchResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}
