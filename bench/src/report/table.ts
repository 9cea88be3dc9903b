import type { BenchResults } from '../model';
import { columnsOf, rowsFor, SCENARIO_TITLES, scenariosIn } from './format';
import { replicationHeader, replicationOf, replicationRows } from './replication';
import { scenarioRemarks } from './resilience';
import { storeTables } from './stores';

/** Pads cells into aligned columns; the first column left-aligned, the others right-aligned. */
export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The side-by-side summary printed at the end of a run. */
export function terminalReport(results: BenchResults): string {
  const parts: string[] = [];
  for (const scenario of scenariosIn(results.scenarios)) {
    parts.push(`\n== ${SCENARIO_TITLES[scenario]}`);
    for (const failed of results.scenarios.filter((r) => r.scenario === scenario && r.error)) {
      parts.push(`   ${failed.variant}: FAILED: ${failed.error?.split('\n')[0]}`);
    }
    const columns = columnsOf(results.scenarios, scenario);
    if (columns.length > 0) {
      const rows = rowsFor(scenario).map((row) => [row.label, ...columns.map((c) => row.value(c))]);
      parts.push(renderTable(['', ...columns.map((c) => c.title)], rows));
    }
    const replication = scenario === 'replication' ? replicationOf(results) : undefined;
    if (replication && replication.systems.length > 0)
      parts.push(renderTable(replicationHeader(replication), replicationRows(replication)));
    for (const table of storeTables(results, scenario, false))
      parts.push(renderTable(table.header, table.rows));
    for (const line of scenarioRemarks(results, scenario)) parts.push(`   ${line}`);
  }
  parts.push('\n== findings');
  for (const finding of results.findings) {
    const mark = finding.holds === null ? 'n/a ' : finding.holds ? 'YES ' : 'NO  ';
    parts.push(`${mark} ${finding.claim}\n     ${finding.explanation}`);
  }
  return parts.join('\n');
}
