import { nodeLossFinding, replicationFinding, withinTolerance } from './cluster-findings';
import {
  nodeLossRunOf,
  replicationScenario,
  replicationSummaryOf,
  sampleScenarios,
  withNodeLoss,
} from './testing/fixtures';
import type { ScenarioResult } from './model';

const rmqFaults = (runs: ScenarioResult['runs'], skipped?: ScenarioResult['skipped']) =>
  ({
    scenario: 'faults',
    transport: 'rmq',
    variant: 'rmq',
    runs,
    ...(skipped ? { skipped } : {}),
    wallSeconds: 1,
  }) as ScenarioResult;

describe('nodeLossFinding', () => {
  it('holds when quorum lost and duplicated nothing, and says what classic did beside it', () => {
    const finding = nodeLossFinding(withNodeLoss(sampleScenarios()));
    expect(finding.holds).toBe(true);
    expect(finding.explanation).toMatch(
      /^quorum queues, rabbitmqctl stop_app on shop1@localhost .*: 100 of 100 orders accepted, 0 lost, 0 buzzed twice, 0 brewed twice; the clients waited p50 3 \/ p99 40 ms .*\(p50 2 \/ p99 5 ms before\); completed orders normally again 2 s after the fault, barista's queue then led by shop2@localhost\./,
    );
    expect(finding.explanation).toMatch(
      /For contrast, classic queues, .*: 100 of 100 orders accepted, 7 lost/,
    );
    expect(finding.figures).toMatchObject({
      brokerNodeLossQuorumLost: 0,
      brokerNodeLossClassicLost: 7,
      brokerNodeLossQuorumWaitDuringP99Ms: 40,
    });
  });

  it('does not hold when quorum lost an order or brewed one twice', () => {
    expect(
      nodeLossFinding([
        rmqFaults([nodeLossRunOf('quorum', 'broker-node-kill', { sent: 100, lost: 1 })]),
      ]).holds,
    ).toBe(false);
    expect(
      nodeLossFinding([rmqFaults([nodeLossRunOf('quorum', 'broker-node-loss', { sent: 100 }, 2)])])
        .holds,
    ).toBe(false);
  });

  it('is not measured without a quorum run, and says why the fault was skipped', () => {
    expect(nodeLossFinding(sampleScenarios()).holds).toBeNull();
    const skipped = nodeLossFinding([
      rmqFaults([], [{ label: 'broker-node-loss', reason: 'the 3-node cluster did not start: x' }]),
    ]);
    expect(skipped.holds).toBeNull();
    expect(skipped.explanation).toBe(
      'Not measured: broker-node-loss the 3-node cluster did not start: x.',
    );
  });
});

describe('replicationFinding', () => {
  it('holds when replication costs delivery, not accept latency, and says so in figures', () => {
    const finding = replicationFinding([replicationScenario()]);
    expect(finding.holds).toBe(true);
    expect(finding.explanation).toContain(
      'At 100 orders/s (brew 0, 2 alternating rounds each, pooled)',
    );
    expect(finding.explanation).toMatch(
      /With quorum queues on the 3-node cluster: .*buzzed at p50 19\.\d \/ p99 29\.\d ms \(\+11\.\d ms at p50/,
    );
    expect(finding.explanation).toContain(
      'Highest sustainable rate: single classic 1,000/s, cluster quorum 500/s, cluster classic 750/s; quorum on three nodes against the single broker (−50 %).',
    );
    expect(finding.explanation).toContain(
      'what the extra safety costs is delivery time and throughput',
    );
    expect(finding.figures).toMatchObject({
      singleClassicBestRate: 1000,
      clusterQuorumBestRate: 500,
    });
  });

  it('does not hold when the accept latency grew with replication beyond the tolerance', () => {
    const slow = replicationSummaryOf(undefined, {
      'single classic': [1, 5],
      'cluster quorum': [5, 40],
      'cluster classic': [1, 6],
    });
    const finding = replicationFinding([replicationScenario(slow)]);
    expect(finding.holds).toBe(false);
    expect(finding.explanation).toContain('The accept latency grew beyond the tolerance too');
  });

  it('is not measured without the scenario, or when the cluster did not start', () => {
    expect(
      replicationFinding(sampleScenarios().filter((r) => r.scenario !== 'replication')).holds,
    ).toBeNull();
    const summary = replicationSummaryOf();
    const singleOnly = {
      ...summary,
      systems: summary.systems.filter((s) => s.broker === 'single'),
      skipped: [{ system: 'cluster quorum', reason: 'the 3-node cluster did not start: x' }],
    };
    const finding = replicationFinding([replicationScenario(singleOnly)]);
    expect(finding.holds).toBeNull();
    expect(finding.explanation).toContain('cluster quorum: the 3-node cluster did not start: x');
  });

  it('tolerates ×2 or +5 ms, whichever is more', () => {
    expect(withinTolerance(9.9, 5)).toBe(true);
    expect(withinTolerance(10.1, 5)).toBe(false);
    expect(withinTolerance(5.9, 1)).toBe(true);
    expect(withinTolerance(6.1, 1)).toBe(false);
  });
});
