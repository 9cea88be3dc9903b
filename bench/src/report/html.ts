import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BenchResults, ScenarioResult } from '../model';
import { orderTimelineSeries, rateChart, rateSeries } from './charts';
import { columnsOf, rowsFor, SCENARIO_TITLES, scenariosIn } from './format';
import {
  REPLICATION_STEP_HEADER,
  replicationCharts,
  replicationDefinition,
  replicationHeader,
  replicationOf,
  replicationRows,
  replicationStepRows,
} from './replication';
import { resilienceCharts, scenarioDefinitions, scenarioRemarks } from './resilience';
import { storeCharts, storeDefinition, storeTables } from './stores';

/** Chart.js's UMD build, read from node_modules so that the page needs no network. */
export function loadChartJs(): string {
  const main = require.resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

const html = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON that is safe inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A script's source that cannot close its own <script> element early. */
export function inlineScript(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}

export interface Series {
  readonly label: string;
  readonly points: { x: number; y: number }[];
  readonly dashed?: boolean;
  readonly axis?: 'y' | 'y2';
  readonly kind?: 'line' | 'bar';
}

export interface ChartSpec {
  readonly id: string;
  readonly scenario: string;
  readonly title: string;
  readonly kind: 'percentiles' | 'timeline' | 'rates';
  readonly xTitle?: string;
  readonly yTitle: string;
  readonly y2Title?: string;
  readonly labels?: string[];
  readonly bars?: { label: string; data: number[] }[];
  readonly series?: Series[];
  readonly window?: { from: number; to: number; label: string };
  readonly logarithmic?: boolean;
  /** false: the y axis fits the data instead of starting at 0 (memory levels). */
  readonly fromZero?: boolean;
}

/** Everything the page draws, computed here so the page's own script stays small. */
export function chartSpecs(results: BenchResults): ChartSpec[] {
  const specs: ChartSpec[] = [];
  let n = 0;
  const id = () => `chart${n++}`;
  for (const scenario of scenariosIn(results.scenarios)) {
    if (scenario === 'overhead') continue;
    const columns = columnsOf(results.scenarios, scenario);
    if (columns.length === 0) continue;
    specs.push({
      id: id(),
      scenario,
      title: `${scenario}: latency percentiles per variant (ms, from the scheduled send)`,
      kind: 'percentiles',
      yTitle: 'ms (log scale)',
      logarithmic: true,
      labels: [
        'client p50',
        'client p90',
        'client p99',
        'client max',
        'buzz p50',
        'buzz p90',
        'buzz p99',
        'buzz max',
      ],
      bars: columns.map((c) => ({
        label: c.title,
        data: [c.run.clientLatency, c.run.buzzLatency].flatMap((l) =>
          [l.p50, l.p90, l.p99, l.max].map((v) => Math.max(v, 0.01)),
        ),
      })),
    });
    specs.push({
      id: id(),
      scenario,
      title: `${scenario}: throughput over time (orders per second)`,
      kind: 'timeline',
      xTitle: 'seconds since load start',
      yTitle: 'orders/s',
      series: columns.flatMap((c) => [
        {
          label: `${c.title} completed`,
          points: c.run.timeline.map((p) => ({ x: p.second, y: p.completed })),
        },
        {
          label: `${c.title} sent`,
          points: c.run.timeline.map((p) => ({ x: p.second, y: p.sent })),
          dashed: true,
        },
      ]),
    });
  }
  for (const result of results.scenarios.filter(
    (r) => r.scenario === 'outage' && r.runs[0]?.outage,
  )) {
    const run = result.runs[0];
    const outage = run.outage;
    if (!outage) continue;
    const back = outage.healthyAtMs ?? outage.restartedAtMs ?? outage.stoppedAtMs;
    const series = orderTimelineSeries(run);
    specs.push({
      id: id(),
      scenario: 'outage',
      title: `outage timeline, ${result.variant}: orders per second (shaded: barista down)`,
      kind: 'timeline',
      xTitle: 'seconds since load start',
      yTitle: 'orders/s',
      y2Title: series.some((s) => s.axis === 'y2') ? 'messages in queue' : undefined,
      series,
      window: { from: outage.stoppedAtMs / 1000, to: back / 1000, label: 'barista down' },
    });
  }
  specs.push(...resilienceCharts(results, id));
  specs.push(...replicationCharts(results, id));
  specs.push(...storeCharts(results, id));
  for (const result of results.scenarios.filter(
    (r) => r.scenario === 'overhead' && r.steps?.length,
  )) {
    const steps = result.steps ?? [];
    const series: Series[] = [];
    for (const system of ['nest', 'baseline'] as const) {
      const mine = steps
        .filter((s) => s.system === system)
        .map((s) => ({
          rate: s.rate,
          completedPerSec: s.run.throughput.completedPerSec,
          buzzP99Ms: s.run.buzzLatency.p99,
        }));
      series.push(...rateSeries(system, mine));
    }
    const title = `overhead, ${result.variant}: completed/s and buzz p99 per offered rate (brew 0)`;
    specs.push(rateChart(id(), 'overhead', title, series));
  }
  return specs;
}

function tableHtml(results: BenchResults, scenario: Parameters<typeof rowsFor>[0]): string {
  const columns = columnsOf(results.scenarios, scenario);
  if (columns.length === 0) return '';
  const head = `<tr><th></th>${columns.map((c) => `<th>${html(c.title)}</th>`).join('')}</tr>`;
  const body = rowsFor(scenario)
    .map(
      (row) =>
        `<tr><td>${html(row.label)}</td>${columns.map((c) => `<td>${html(row.value(c))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table>${head}\n${body}</table>`;
}

function plainTable(header: string[], rows: string[][]): string {
  const head = `<tr>${header.map((cell) => `<th>${html(cell)}</th>`).join('')}</tr>`;
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${html(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>${head}\n${body}</table>`;
}

function replicationHtml(results: BenchResults): string {
  const summary = replicationOf(results);
  if (!summary || summary.systems.length === 0) return '';
  const steps =
    summary.steps.length > 0
      ? `<h3>rate search steps</h3>${plainTable(REPLICATION_STEP_HEADER, replicationStepRows(summary))}`
      : '';
  return `${plainTable(replicationHeader(summary), replicationRows(summary))}<p class="definition">${html(replicationDefinition(summary))}</p>${steps}`;
}

/** scale-out's and store-cost's own tables and how they are measured. */
function storesHtml(results: BenchResults, scenario: string): string {
  const tables = storeTables(results, scenario)
    .map((t) => `${t.title ? `<h3>${html(t.title)}</h3>` : ''}${plainTable(t.header, t.rows)}`)
    .join('');
  const definition = storeDefinition(results, scenario);
  return `${tables}${definition ? `<p class="definition">${html(definition)}</p>` : ''}`;
}

function stepsHtml(result: ScenarioResult): string {
  const steps = result.steps ?? [];
  if (steps.length === 0) return '';
  const rows = steps
    .map(
      (s) =>
        `<tr><td>${html(s.system)}</td><td>${s.rate}</td><td>${s.sustainable ? 'yes' : 'no'}</td><td>${s.run.counts.sent}</td><td>${s.run.counts.failed}</td><td>${s.run.counts.lost}</td><td>${Math.round(s.run.throughput.completedPerSec)}</td><td>${s.run.clientLatency.p99}</td><td>${s.run.buzzLatency.p99}</td><td>${html(s.why)}</td></tr>`,
    )
    .join('\n');
  const ratio = result.overhead?.ratio;
  return `<h3>${html(result.variant)} overhead steps${ratio !== null && ratio !== undefined ? ` (NestJS/bare ${ratio})` : ''}</h3>
<table><tr><th>system</th><th>rate/s</th><th>sustainable</th><th>sent</th><th>failed</th><th>lost</th><th>completed/s</th><th>client p99 ms</th><th>buzz p99 ms</th><th>verdict</th></tr>
${rows}</table>`;
}

const PAGE_SCRIPT = `
(function () {
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  var windowPlugin = {
    id: 'outageWindow',
    beforeDatasetsDraw: function (chart, _args, opts) {
      if (!opts || opts.from === undefined || opts.from === null) return;
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      var x1 = Math.max(area.left, x.getPixelForValue(opts.from));
      var x2 = Math.min(area.right, x.getPixelForValue(opts.to));
      ctx.save();
      ctx.fillStyle = 'rgba(214, 39, 40, 0.12)';
      ctx.fillRect(x1, area.top, Math.max(1, x2 - x1), area.bottom - area.top);
      ctx.fillStyle = 'rgba(214, 39, 40, 0.9)';
      ctx.font = '12px sans-serif';
      ctx.fillText(opts.label || '', x1 + 4, area.top + 14);
      ctx.restore();
    }
  };
  Chart.register(windowPlugin);
  SPECS.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    var config;
    if (spec.kind === 'percentiles') {
      config = {
        type: 'bar',
        data: {
          labels: spec.labels,
          datasets: spec.bars.map(function (b, i) { return { label: b.label, data: b.data, backgroundColor: palette[i % palette.length] }; })
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          plugins: { title: { display: true, text: spec.title } },
          scales: { y: { type: spec.logarithmic ? 'logarithmic' : 'linear', title: { display: true, text: spec.yTitle } } }
        }
      };
    } else {
      var scales = {
        x: { type: 'linear', title: { display: true, text: spec.xTitle } },
        y: { beginAtZero: spec.fromZero !== false, title: { display: true, text: spec.yTitle } }
      };
      if (spec.y2Title) scales.y2 = { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: spec.y2Title } };
      config = {
        type: 'line',
        data: {
          datasets: spec.series.map(function (s, i) {
            var color = palette[i % palette.length];
            return { label: s.label, data: s.points, borderColor: color, backgroundColor: color, borderDash: s.dashed ? [6, 4] : [], yAxisID: s.axis || 'y', pointRadius: spec.kind === 'rates' ? 3 : 0, tension: 0 };
          })
        },
        options: {
          animation: false,
          maintainAspectRatio: false,
          parsing: true,
          plugins: { title: { display: true, text: spec.title }, outageWindow: spec.window || {} },
          scales: scales
        }
      };
    }
    new Chart(canvas, config);
  });
})();
`;

/** report.html: one self-contained page (Chart.js inlined), readable offline. */
export function htmlReport(results: BenchResults, chartJs: string): string {
  const specs = chartSpecs(results);
  const findings = results.findings
    .map((f) => {
      const mark = f.holds === null ? '➖' : f.holds ? '✅' : '❌';
      return `<li><b>${mark} ${html(f.claim)}</b><br>${html(f.explanation)}<br><code>${html(JSON.stringify(f.figures))}</code></li>`;
    })
    .join('\n');
  const sections = scenariosIn(results.scenarios)
    .map((scenario) => {
      const charts = specs
        .filter((s) => s.scenario === scenario)
        .map((s) => `<div class="chart"><canvas id="${s.id}"></canvas></div>`)
        .join('\n');
      const errors = results.scenarios
        .filter((r) => r.scenario === scenario && r.error)
        .map((r) => `<p class="error">${html(r.variant)} failed: ${html(r.error ?? '')}</p>`)
        .join('\n');
      const steps =
        scenario === 'overhead'
          ? results.scenarios
              .filter((r) => r.scenario === 'overhead')
              .map(stepsHtml)
              .join('\n')
          : '';
      const remarks = scenarioRemarks(results, scenario)
        .map((line) => `<p class="remark">${html(line)}</p>`)
        .join('\n');
      const definitions = scenarioDefinitions(scenario);
      const explained = definitions ? `<p class="definition">${html(definitions)}</p>` : '';
      const replication = scenario === 'replication' ? replicationHtml(results) : '';
      return `<section id="${scenario}"><h2>${html(SCENARIO_TITLES[scenario])}</h2>${errors}${tableHtml(results, scenario)}${replication}${storesHtml(results, scenario)}${remarks}${explained}${steps}\n${charts}</section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Coffee shop benchmark ${html(results.startedAt)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: right; white-space: nowrap; }
td:first-child, th:first-child { text-align: left; }
.chart { position: relative; height: 340px; margin: 1rem 0 2rem; }
.error { color: #b00; }
.remark { font-weight: 600; }
.definition { font-size: 0.9rem; color: #444; max-width: 60rem; }
code { font-size: 0.8rem; color: #555; }
li { margin-bottom: 0.8rem; }
</style>
</head>
<body>
<h1>Coffee shop benchmark: sync (http) vs async (rmq)</h1>
<p>${html(results.startedAt)} → ${html(results.finishedAt)} · <code>${html(results.command)}</code><br>
${results.machine.cpus} × ${html(results.machine.cpuModel)}, ${results.machine.memoryGb} GB, ${html(results.machine.os)}, Node ${html(results.machine.node)}, RabbitMQ ${html(results.machine.rabbitmq ?? 'n/a')}${results.machine.postgres ? `, PostgreSQL ${html(results.machine.postgres)}` : ''} · commit ${html(results.git.commit ?? 'n/a')}</p>
<p>Open-loop load: latencies are measured from each order's scheduled send time. Client = until the HTTP answer; buzz = until the pager's buzz reached the client.</p>
<h2>Findings</h2>
<ul>${findings}</ul>
${sections}
<script>${inlineScript(chartJs)}</script>
<script>var SPECS = ${scriptJson(specs)};${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
