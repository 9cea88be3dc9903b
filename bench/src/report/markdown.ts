import {
  HUNG_CALLEE_FAULTS,
  NODE_LOSS_FAULTS,
  type BenchResults,
  type ScenarioResult,
} from '../model';
import {
  columnsOf,
  type Column,
  describePhases,
  int,
  latency,
  ms,
  rowsFor,
  SCENARIO_TITLES,
  scenariosIn,
} from './format';
import {
  REPLICATION_STEP_HEADER,
  replicationDefinition,
  replicationHeader,
  replicationOf,
  replicationRows,
  replicationStepRows,
} from './replication';
import { storeDefinition, storeTables } from './stores';
import { scenarioDefinitions, scenarioRemarks } from './resilience';

const escape = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escape).join(' | ')} |`;
  return [
    line(header),
    `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

function overheadSteps(result: ScenarioResult): string {
  const steps = result.steps ?? [];
  if (steps.length === 0) return '';
  const rows = steps.map((step) => [
    step.system,
    int(step.rate),
    step.sustainable ? 'yes' : 'no',
    int(step.run.counts.sent),
    int(step.run.counts.failed),
    int(step.run.counts.lost),
    int(step.run.throughput.completedPerSec),
    latency(step.run.clientLatency),
    latency(step.run.buzzLatency),
    ms(step.run.sendLag.p99),
    step.why,
  ]);
  const summary = result.overhead;
  const ratio =
    summary?.ratio !== null && summary?.ratio !== undefined
      ? `NestJS/bare = **${summary.ratio}**`
      : 'ratio not available';
  return [
    `\n**${result.variant}** steps (${ratio}${summary?.baselineSkipped ? `; baseline ${summary.baselineSkipped}` : ''}):\n`,
    markdownTable(
      [
        'system',
        'rate/s',
        'sustainable',
        'sent',
        'failed',
        'lost',
        'completed/s',
        'client ms p50/p90/p99/max',
        'buzz ms p50/p90/p99/max',
        'send lag p99 ms',
        'verdict',
      ],
      rows,
    ),
  ].join('\n');
}

const cell = (value: number | null | undefined, show: (v: number) => string = ms) =>
  value === null || value === undefined ? '-' : show(value);

/** Per second of each hung or slowed callee: the orders, the clients' waits, the caller's health. */
function cascadeTables(columns: Column[]): string[] {
  const out: string[] = [];
  for (const column of columns) {
    const fault = column.run.fault;
    if (!fault?.series) continue;
    if (!HUNG_CALLEE_FAULTS.includes(fault.kind) && !NODE_LOSS_FAULTS.includes(fault.kind))
      continue;
    const from = Math.floor((fault.injectedAtMs ?? 0) / 1000);
    const to = Math.floor((fault.healthyAtMs ?? fault.injectedAtMs ?? 0) / 1000);
    out.push(
      `\n**${column.title}, per second** (${fault.action}; * marks the seconds of the fault):\n`,
    );
    out.push(
      markdownTable(
        [
          's',
          'due',
          'accepted',
          'failed',
          'buzzed',
          'waiting answer',
          'waiting buzz',
          'wait p99 ms',
          'wait max ms',
          'GET /orders/:id ms',
          'GET /orders ms',
          'loop delay ms',
          'to barista: calls/sockets',
          'to pager: calls',
          'queue barista/pager',
          'order RSS MB',
        ],
        fault.series.map((p) => [
          `${p.second}${p.second >= from && p.second <= to ? '*' : ''}`,
          int(p.sent),
          int(p.accepted),
          int(p.failed),
          int(p.completed),
          int(p.awaitingAnswer),
          int(p.awaitingBuzz),
          cell(p.clientP99Ms),
          cell(p.clientMaxMs),
          cell(p.getOrderMs),
          cell(p.listOrdersMs),
          cell(p.eventLoopDelayMs),
          p.baristaInFlight === null
            ? '-'
            : `${int(p.baristaInFlight)}/${cell(p.baristaSockets, int)}`,
          cell(p.pagerInFlight, int),
          p.baristaQueue === undefined && p.pagerQueue === undefined
            ? '-'
            : `${cell(p.baristaQueue, int)}/${cell(p.pagerQueue, int)}`,
          cell(p.orderRssMb, int),
        ]),
      ),
    );
  }
  return out;
}

/** report.md: the same figures as the terminal, plus parameters, findings and the machine. */
export function markdownReport(results: BenchResults): string {
  const out: string[] = [];
  out.push('# Coffee shop benchmark: sync (http) vs async (rmq)\n');
  out.push(`Run ${results.startedAt} → ${results.finishedAt}, command \`${results.command}\`.\n`);
  out.push(
    `Machine: ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGb} GB, ${results.machine.os}, Node ${results.machine.node}, RabbitMQ ${results.machine.rabbitmq ?? 'n/a'}${results.machine.postgres ? `, PostgreSQL ${results.machine.postgres}` : ''}. ` +
      `Versions: ${Object.entries(results.versions)
        .map(([name, version]) => `${name} ${version ?? 'n/a'}`)
        .join(
          ', ',
        )}. Commit ${results.git.commit ?? 'n/a'}${results.git.dirty ? ' (with uncommitted changes)' : ''}.\n`,
  );
  out.push(
    'Load is open-loop: orders are sent on a fixed schedule and every latency is measured from the time the order was due, so a stalled system cannot hide its stall. "Client" latency is until the HTTP answer (http: the ready order, brew included; rmq: the accepted order). "Buzz" latency is until the pager\'s buzz for that order reached the client. Lost = accepted but never buzzed by the end of the drain; duplicated = buzzed more than once.\n',
  );
  out.push('## Findings\n');
  for (const finding of results.findings) {
    const mark =
      finding.holds === null ? '➖ not measured' : finding.holds ? '✅ holds' : '❌ does not hold';
    out.push(
      `- **${mark}**: ${finding.claim}  \n  ${finding.explanation}  \n  \`${JSON.stringify(finding.figures)}\``,
    );
  }
  if (results.errors.length > 0) {
    out.push('\n## Errors\n');
    for (const error of results.errors) out.push(`- ${escape(error)}`);
  }
  for (const scenario of scenariosIn(results.scenarios)) {
    out.push(`\n## ${SCENARIO_TITLES[scenario]}\n`);
    const columns = columnsOf(results.scenarios, scenario);
    const first = columns[0]?.run;
    if (first) {
      out.push(
        `Parameters: ${scenario === 'overhead' ? 'rate steps' : describePhases(first)}; brew ${first.params.brewMs} ms; ${first.params.machines} espresso machines per barista${scenario === 'scale' ? '' : `; ${first.params.baristas} barista`}.\n`,
      );
    }
    for (const failed of results.scenarios.filter((r) => r.scenario === scenario && r.error)) {
      out.push(`**${failed.variant} failed:** ${escape(failed.error ?? '')}\n`);
    }
    if (columns.length > 0) {
      out.push(
        markdownTable(
          ['', ...columns.map((c) => c.title)],
          rowsFor(scenario).map((row) => [row.label, ...columns.map((c) => row.value(c))]),
        ),
      );
    }
    const replication = scenario === 'replication' ? replicationOf(results) : undefined;
    if (replication && replication.systems.length > 0) {
      out.push(
        markdownTable(replicationHeader(replication), replicationRows(replication)),
        `\n${replicationDefinition(replication)}`,
      );
      if (replication.steps.length > 0)
        out.push(
          '\nRate search steps:\n',
          markdownTable(REPLICATION_STEP_HEADER, replicationStepRows(replication)),
        );
    }
    for (const table of storeTables(results, scenario))
      out.push(
        ...(table.title ? [`\n${table.title[0].toUpperCase()}${table.title.slice(1)}:\n`] : []),
        markdownTable(table.header, table.rows),
      );
    const storeText = storeDefinition(results, scenario);
    if (storeText) out.push(`\n${storeText}`);
    const remarks = scenarioRemarks(results, scenario);
    if (remarks.length > 0)
      out.push(`\n${remarks.map((line) => `**${escape(line)}**`).join('  \n')}`);
    const definitions = scenarioDefinitions(scenario);
    if (definitions) out.push(`\n${definitions}`);
    if (scenario === 'overhead') {
      for (const result of results.scenarios.filter((r) => r.scenario === 'overhead'))
        out.push(overheadSteps(result));
    }
    if (scenario === 'faults') out.push(...cascadeTables(columns));
    const notes = columns.flatMap((c) => c.run.notes.map((note) => `${c.title}: ${note}`));
    if (notes.length > 0) out.push(`\nNotes:\n${notes.map((n) => `- ${escape(n)}`).join('\n')}`);
  }
  out.push('\n## Parameters\n');
  out.push('```json\n' + JSON.stringify(results.options, null, 2) + '\n```\n');
  return out.join('\n') + '\n';
}
