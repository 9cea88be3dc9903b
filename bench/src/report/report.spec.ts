import { RMQ_ONLY_SCENARIOS, SCENARIOS } from '../model';
import { sampleResults } from '../testing/fixtures';
import { htmlReport, inlineScript, loadChartJs, scriptJson } from './html';
import { jsonReport } from './json';
import { markdownReport } from './markdown';
import { renderTable, terminalReport } from './table';

const chartJs = loadChartJs();

describe('reports', () => {
  const results = sampleResults();

  it('results.json holds every scenario for both transports, the findings and the machine', () => {
    const parsed = JSON.parse(jsonReport(results)) as typeof results;
    for (const scenario of SCENARIOS) {
      for (const transport of RMQ_ONLY_SCENARIOS.includes(scenario) ? ['rmq'] : ['http', 'rmq']) {
        expect(
          parsed.scenarios.some((r) => r.scenario === scenario && r.transport === transport),
        ).toBe(true);
      }
    }
    // http+defences, with its own variant, in the scenarios it runs by default.
    expect(
      parsed.scenarios.filter((r) => r.variant === 'http+defences').map((r) => r.scenario),
    ).toEqual(['steady', 'outage', 'faults', 'soak']);
    expect(parsed.findings.length).toBeGreaterThanOrEqual(3);
    expect(parsed.machine.cpus).toBe(2);
  });

  it('report.md has a section per scenario, the findings with figures, and both transports', () => {
    const md = markdownReport(results);
    for (const scenario of SCENARIOS) expect(md).toContain(`## ${scenario}:`);
    expect(md).toContain('## Findings');
    expect(md).toMatch(/✅ holds.*While barista is down/);
    expect(md).toContain('"httpFailedDuringOutage":30');
    expect(md).toMatch(/\| +\| http \| http\+defences \| rmq \|/);
    expect(md).toMatch(
      /\| barista requests \(retries\) \/ failed fast \| 100 \(0\) \/ 0 \| 81 \(7\) \/ 26 \| - \|/,
    );
    expect(md).toMatch(/\| once back: accepted\/failed\/lost \| 45 \/ 0 \/ 0 \| 43 \/ 2 \/ 0 \|/);
    expect(md).toMatch(/\| failed ms p50\/p90\/p99\/max \|/);
    expect(md).toMatch(/✅ holds.*Retries and a circuit breaker do not decouple/);
    expect(md).toContain('http x3');
    expect(md).toContain('NestJS/bare');
  });

  it('report.html inlines Chart.js and loads nothing from the network', () => {
    const page = htmlReport(results, chartJs);
    expect(chartJs.length).toBeGreaterThan(100000);
    expect(page).toContain(chartJs.slice(0, 2000));
    expect(page).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(page).not.toMatch(/<link[^>]*href=["']https?:/i);
    for (const scenario of SCENARIOS) expect(page).toContain(`<section id="${scenario}">`);
    // Charts: latency percentiles, throughput over time, the outage timeline with its window.
    expect(page).toMatch(/latency percentiles per variant/);
    expect(page).toMatch(/throughput over time/);
    expect(page).toMatch(/outage timeline, http/);
    expect(page).toMatch(/outage timeline, rmq/);
    expect(page).toMatch(/outage timeline, http\+defences/);
    expect(page).toContain('"window":{"from":1,"to":3');
    const canvases = page.match(/<canvas id="chart\d+">/g) ?? [];
    const specs = /var SPECS = (\[.*?\]);\n/s.exec(page);
    expect(specs).not.toBeNull();
    expect(canvases.length).toBe((JSON.parse(specs?.[1] ?? '[]') as unknown[]).length);
  });

  it('shows each fault side by side per variant, with recovery, and what was not applicable', () => {
    const text = terminalReport(results);
    const header = text.split('\n').find((line) => line.includes('http barista-kill'));
    expect(header).toMatch(
      /http barista-kill\s+http\+defences barista-kill\s+rmq barista-kill\s+http barista-hang\s+.*\s+rmq pager-hang\s+rmq broker-restart/,
    );
    expect(text).toMatch(/time to recover \(s\)(\s+2){13}/);
    expect(text).toMatch(/once back: accepted\/failed\/lost(\s+55 \/ 0 \/ 0){13}/);
    // What the hung callee did to the caller, beside what it did to the orders.
    expect(text).toMatch(
      /clients waited p99 \/ max \(s\), due during fault\s+-\s+-\s+-\s+2\.0 \/ 2\.0/,
    );
    expect(text).toMatch(
      /order's GET \/orders\/:id p99 ms before → during\s+-\s+-\s+-\s+4\.0 → 9\.0/,
    );
    expect(text).toMatch(
      /order → barista: peak calls in flight \/ sockets\s+-\s+-\s+-\s+200 \/ 200/,
    );
    expect(text).toMatch(/brewed twice \(extra brews\)\s+n\/a\s+n\/a\s+0 \(0\)/);
    expect(text).toContain('http broker-restart: not applicable');
    expect(text).toContain('http+defences broker-restart: not applicable');
    for (const variant of ['http', 'http+defences', 'rmq'])
      expect(text).toContain(`${variant} memory: flat after warm-up: order +1.0 MB`);
    const md = markdownReport(results);
    expect(md).toContain(
      '|  | http barista-kill | http+defences barista-kill | rmq barista-kill | http barista-hang |',
    );
    expect(md).toContain('**http barista-hang, per second**');
    expect(md).toMatch(
      /\| 1\* \| 10 \| 0 \| 10 \| 0 \| 20 \| 0 \| 2,000 \| 2,001 \| 9\.0 \| 12 \|/,
    );
    expect(md).toContain('**rmq pager-hang, per second**');
    expect(md).not.toContain('**rmq barista-kill, per second**');
    expect(md).toMatch(/\| +\| http \| http\+defences \| rmq \|\n[^\n]*\n\| offered orders\/s/);
    expect(md).toContain('Time to recover: an order completes normally');
    expect(md).toMatch(/RSS MB order start\/end\/peak \| 70 \/ 81 \/ 81/);
    expect(md).toContain('a service grows when the end level exceeds');
  });

  it('report.html charts each fault’s timeline with the fault shaded and the memory of the soak', () => {
    const page = htmlReport(results, chartJs);
    expect(page).toMatch(/faults timeline, http barista-kill/);
    expect(page).toMatch(/faults timeline, http\+defences barista-kill/);
    expect(page).toMatch(
      /faults timeline, rmq broker-restart: orders per second \(shaded: broker down → up\)/,
    );
    expect(page).toContain('"label":"recovered (+2 s)"');
    expect(page).toMatch(/cascade, http barista-hang: what the clients saw, per second/);
    expect(page).toMatch(
      /caller health, http\+defences pager-hang: order's own endpoints and what it holds open \(shaded: pager frozen/,
    );
    expect(page).toMatch(/caller health, rmq barista-slow/);
    expect(page).toContain('"label":"calls in flight to barista"');
    expect(page).toContain('"label":"barista queue (rmq)"');
    expect(page).toMatch(/soak memory, rmq: RSS of each service/);
    expect(page).toMatch(/soak memory, http\+defences: RSS of each service/);
    expect(page).toContain('"window":{"from":0,"to":45,"label":"warm-up"}');
    expect(page).toContain('http broker-restart: not applicable');
  });

  it('cannot be broken out of by data that looks like markup', () => {
    expect(scriptJson({ a: '</script><script>alert(1)</script>' })).not.toContain('</script');
    expect(inlineScript('x = "</script>"')).not.toContain('</script');
  });

  it('the terminal table shows every scenario side by side and the findings', () => {
    const text = terminalReport(results);
    for (const scenario of SCENARIOS) expect(text).toContain(`== ${scenario}:`);
    expect(text).toMatch(/sent\s+100\s+100/);
    expect(text).toContain('due while down');
    expect(text).toContain('== findings');
    expect(text).toContain('YES');
  });

  it('renderTable aligns columns', () => {
    expect(
      renderTable(
        ['', 'a', 'bb'],
        [
          ['row', '1', '22'],
          ['longer row', '333', '4'],
        ],
      ),
    ).toBe(
      [
        '              a  bb',
        '----------  ---  --',
        'row           1  22',
        'longer row  333   4',
      ].join('\n'),
    );
  });
});
