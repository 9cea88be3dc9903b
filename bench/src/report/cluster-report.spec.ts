import { computeFindings } from '../findings';
import { sampleResults, withNodeLoss } from '../testing/fixtures';
import { htmlReport, loadChartJs } from './html';
import { markdownReport } from './markdown';
import { moreThan, rateChange } from './replication';
import { terminalReport } from './table';

describe('reports of the cluster scenarios', () => {
  const sample = sampleResults();
  const scenarios = withNodeLoss(sample.scenarios);
  const results = { ...sample, scenarios, findings: computeFindings(scenarios) };

  it('put the replication set-ups side by side, with what each costs against the single broker', () => {
    const text = terminalReport(results);
    expect(text).toContain('== replication: what three copies of every message cost');
    expect(text).toMatch(/\s+single classic\s+cluster quorum\s+cluster classic/);
    expect(text).toMatch(/copies of each message\s+1\s+3 of 3 nodes\s+1 of 3 nodes/);
    expect(text).toMatch(
      /highest sustainable rate \(brew 0\)\s+1,000\/s \(1,500\/s not\)\s+500\/s \(750\/s not\)/,
    );
    expect(text).toMatch(/highest rate vs single classic\s+reference\s+−50 %\s+−25 %/);
    expect(text).toMatch(/buzz p50 vs single classic\s+reference\s+\+11 ms \(×2\.4\)/);
    const md = markdownReport(results);
    expect(md).toContain('| copies of each message | 1 | 3 of 3 nodes | 1 of 3 nodes |');
    expect(md).toContain('Rate search steps:');
    expect(md).toContain('| cluster quorum | 750 | no |');
    expect(md).toContain('latencies are pooled over every round');
  });

  it('charts the pooled percentiles and the rate search of each set-up in report.html', () => {
    const page = htmlReport(results, loadChartJs());
    expect(page).toContain('<section id="replication">');
    expect(page).toMatch(/replication: latency percentiles at 100 orders\/s, every round pooled/);
    expect(page).toMatch(/replication: completed\/s and buzz p99 per offered rate/);
    expect(page).toContain('"label":"cluster quorum buzz p99 ms"');
    expect(page).toContain('<td>3 of 3 nodes</td>');
  });

  it('show the node-loss runs per second and charted like the other faults', () => {
    const text = terminalReport(results);
    expect(text).toMatch(/rmq broker-node-loss quorum\s+rmq broker-node-loss classic/);
    expect(text).toMatch(
      /node taken away → leader after\s+(-\s+)+shop1@localhost → shop2@localhost\s+shop1@localhost → shop1@localhost/,
    );
    expect(text).toMatch(
      /client wait ms p50\/p99\/max during fault[\s-]+3\.0 \/ 40 \/ 60\s+3\.0 \/ 40 \/ 60$/m,
    );
    const md = markdownReport(results);
    expect(md).toContain('**rmq broker-node-loss quorum, per second**');
    const page = htmlReport(results, loadChartJs());
    expect(page).toMatch(
      /faults timeline, rmq broker-node-loss classic: orders per second \(shaded: node stopped \(stop_app → start_app\)\)/,
    );
    expect(page).toMatch(/cascade, rmq broker-node-loss quorum: what the clients saw, per second/);
    expect(page).toMatch(/✅ On the 3-node cluster with quorum queues/);
  });

  it('say a cost in signed figures', () => {
    expect(moreThan(12.5, 5)).toBe('+7.5 ms (×2.5)');
    expect(moreThan(4, 5)).toBe('−1.0 ms (×0.8)');
    expect(rateChange(500, 1000)).toBe('−50 %');
    expect(rateChange(1200, 1000)).toBe('+20 %');
    expect(rateChange(1, 0)).toBe('-');
  });
});
