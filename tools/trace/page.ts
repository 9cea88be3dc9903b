import type { Waterfall, WaterfallRow } from './waterfall';

const ROW_PX = 26;
const COLOURS: Record<string, string> = {
  order: '#4e79a7',
  barista: '#e15759',
  pager: '#59a14f',
  gateway: '#b07aa1',
};
const OTHER = '#9c755f';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const ms = (value: number) =>
  value >= 100
    ? `${value.toFixed(0)} ms`
    : value >= 1
      ? `${value.toFixed(1)} ms`
      : `${value.toFixed(2)} ms`;

const percent = (fraction: number) => `${(fraction * 100).toFixed(3)}%`;

function label(row: WaterfallRow): string {
  const colour = COLOURS[row.service] ?? OTHER;
  return `<div class="label" style="padding-left:${8 + row.depth * 14}px">
    <span class="service" style="background:${colour}">${escape(row.service)}</span>
    <span class="name">${escape(row.name)}</span><span class="kind">${row.kind}</span></div>`;
}

function bar(row: WaterfallRow, index: number): string {
  const colour = COLOURS[row.service] ?? OTHER;
  // The duration goes right of the bar, or left of it when the bar ends near the axis's end.
  const textRight = row.left + row.width < 0.8;
  const text = `<span class="duration ${textRight ? 'right' : 'left'}">${ms(row.durationMs)}</span>`;
  return `<div class="lane" style="top:${index * ROW_PX}px">
    <div class="bar${row.error ? ' error' : ''}" style="left:${percent(row.left)};width:max(2px,${percent(row.width)});background:${colour}">${text}</div></div>`;
}

/** A dashed line from a span's start up (or down) to the row of the span it links to. */
function links(rows: readonly WaterfallRow[]): string {
  return rows
    .flatMap((row, index) =>
      row.links
        .filter((link) => link.row !== undefined)
        .map((link) => {
          const [from, to] = [Math.min(index, link.row!), Math.max(index, link.row!)];
          return `<div class="link" style="left:${percent(row.left)};top:${from * ROW_PX + ROW_PX / 2}px;height:${(to - from) * ROW_PX}px" title="link"></div>`;
        }),
    )
    .join('');
}

/**
 * The waterfall as one self-contained HTML page (no script, no fetch): labels indented by
 * depth on the left, bars on a shared time axis on the right, links as dashed connectors.
 */
export function waterfallPage(waterfall: Waterfall, title: string, note: string): string {
  const { rows, ticks, totalMs } = waterfall;
  const axisMs = ticks[ticks.length - 1] || totalMs;
  const scale = totalMs / axisMs;
  const scaled = rows.map((row) => ({ ...row, left: row.left * scale, width: row.width * scale }));
  const height = rows.length * ROW_PX;
  const legend = waterfall.services
    .map(
      (service) =>
        `<span class="service" style="background:${COLOURS[service] ?? OTHER}">${escape(service)}</span>`,
    )
    .join(' ');
  const tickMarks = ticks
    .map(
      (tick) =>
        `<div class="tick" style="left:${percent(tick / axisMs)}"><span>${tick} ms</span></div>`,
    )
    .join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escape(title)}</title><style>
  body { font: 13px/1.3 system-ui, sans-serif; margin: 16px; color: #222; background: #fff; width: 1360px; }
  h1 { font-size: 17px; margin: 0 0 4px; }
  .meta { color: #555; margin-bottom: 12px; }
  .grid { display: grid; grid-template-columns: 430px 1fr; border-top: 1px solid #ccc; }
  .labels { border-right: 1px solid #ccc; }
  .label { height: ${ROW_PX}px; display: flex; align-items: center; gap: 6px; white-space: nowrap; overflow: hidden; border-bottom: 1px solid #f0f0f0; }
  .service { color: #fff; border-radius: 3px; padding: 1px 5px; font-size: 11px; }
  .kind { color: #888; font-size: 11px; }
  .axis { position: relative; height: 22px; border-bottom: 1px solid #ccc; margin-right: 70px; }
  .chart { position: relative; height: ${height}px; margin-right: 70px; }
  .tick { position: absolute; top: 0; height: 100%; border-left: 1px solid #ddd; }
  .tick span { position: absolute; left: 3px; top: 3px; font-size: 11px; color: #666; white-space: nowrap; }
  .chart .tick { border-left: 1px dotted #e2e2e2; }
  .lane { position: absolute; left: 0; right: 0; height: ${ROW_PX}px; border-bottom: 1px solid #f0f0f0; }
  .bar { position: absolute; top: 6px; height: ${ROW_PX - 12}px; border-radius: 2px; }
  .bar.error { outline: 2px solid #d00; }
  .duration { position: absolute; top: -1px; font-size: 11px; color: #333; white-space: nowrap; }
  .duration.right { left: calc(100% + 4px); }
  .duration.left { right: calc(100% + 4px); }
  .link { position: absolute; border-left: 2px dashed #f28e2b; }
  .head { height: 22px; border-bottom: 1px solid #ccc; font-weight: 600; display: flex; align-items: center; padding-left: 8px; }
  .note { color: #666; margin-top: 10px; font-size: 12px; }
</style></head><body>
<h1>${escape(title)}</h1>
<div class="meta">trace ${escape(waterfall.traceId)} · ${rows.length} spans · ${ms(totalMs)} · ${legend}</div>
<div class="grid">
  <div class="labels"><div class="head">span</div>${rows.map(label).join('')}</div>
  <div><div class="axis">${tickMarks}</div>
  <div class="chart">${ticks.map((tick) => `<div class="tick" style="left:${percent(tick / axisMs)}"></div>`).join('')}${scaled.map(bar).join('')}${links(scaled)}</div></div>
</div>
<div class="note">${escape(note)}</div>
</body></html>
`;
}
