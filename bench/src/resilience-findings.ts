import {
  NODE_LOSS_FAULTS,
  VARIANTS,
  type Finding,
  type RunResult,
  type ScenarioResult,
  type Variant,
} from './model';
import { SOAK_CRITERIA, soakThresholdText } from './plan';

/** `barista-kill` → `baristaKill`, `http+defences` → `httpDefences`, for figure names. */
function camel(label: string): string {
  return label.replace(/[-_+ ]+(\w)/g, (_, c: string) => c.toUpperCase());
}

function runsOf(results: ScenarioResult[], scenario: string, variant: Variant): RunResult[] {
  return results
    .filter((r) => r.scenario === scenario && r.variant === variant && !r.error)
    .flatMap((r) => r.runs)
    .filter((run) => !run.fault || !NODE_LOSS_FAULTS.includes(run.fault.kind));
}

function recovery(run: RunResult): string {
  const seconds = run.fault?.recovery.recoverSeconds;
  return seconds === null || seconds === undefined ? 'not within the load' : `after ${seconds} s`;
}

/**
 * Issue 4's promise: whatever the fault, no accepted order is lost or handled twice (rmq, on the
 * machine's broker; the node-loss faults, on the cluster with either queue type, have a finding of
 * their own).
 */
export function faultsFinding(results: ScenarioResult[]): Finding {
  const id = 'faults-rmq-nothing-lost-or-duplicated';
  const claim =
    'Under rmq, every order accepted around a fault (barista killed, frozen or slowed, pager frozen, RabbitMQ restarted) completes exactly once: none lost, none buzzed or brewed twice.';
  const rmq = runsOf(results, 'faults', 'rmq').filter((run) => run.fault);
  if (rmq.length === 0) {
    return {
      id,
      claim,
      holds: null,
      figures: {},
      explanation: 'Not measured in this run: needs the faults scenario under rmq.',
    };
  }
  const figures: Finding['figures'] = {};
  for (const variant of VARIANTS) {
    for (const run of runsOf(results, 'faults', variant)) {
      const key = camel(`${variant}-${run.label}`);
      figures[`${key}Accepted`] = run.counts.accepted;
      figures[`${key}Failed`] = run.counts.failed;
      figures[`${key}Lost`] = run.counts.lost;
      figures[`${key}Duplicated`] = run.counts.duplicated;
      figures[`${key}BrewedTwice`] = run.fault?.brewedTwice ?? null;
      figures[`${key}RecoverSeconds`] = run.fault?.recovery.recoverSeconds ?? null;
    }
  }
  const clean = (run: RunResult) =>
    run.counts.accepted > 0 &&
    run.counts.lost === 0 &&
    run.counts.duplicated === 0 &&
    (run.fault?.brewedTwice ?? 0) === 0;
  const holds = rmq.every(clean);
  const describe = (run: RunResult) =>
    `${run.label}: ${run.counts.accepted} of ${run.counts.sent} accepted, ${run.counts.lost} lost, ${run.counts.duplicated} buzzed twice, ${run.fault?.brewedTwice ?? 'n/a'} brewed twice, recovered ${recovery(run)}`;
  const others = VARIANTS.filter((variant) => variant !== 'rmq')
    .map((variant) => ({
      variant,
      runs: runsOf(results, 'faults', variant).filter((r) => r.fault),
    }))
    .filter(({ runs }) => runs.length > 0)
    .map(
      ({ variant, runs }) =>
        `${variant}: ${runs.map((run) => `${run.label} failed ${run.counts.failed} of ${run.counts.sent}, recovered ${recovery(run)}`).join('; ')}`,
    );
  const contrast = others.length > 0 ? ` For contrast, ${others.join('; ')}.` : '';
  return {
    id,
    claim,
    holds,
    figures,
    explanation: `rmq ${rmq.map(describe).join('; ')}.${contrast}${rmq.some((run) => run.fault?.kind === 'broker') ? '' : ' (The broker restart was not part of this run.)'}`,
  };
}

/** The soak's verdict: memory does not keep growing once the shop is warm. */
export function soakFinding(results: ScenarioResult[]): Finding {
  const id = 'soak-memory-flat-after-warmup';
  const claim = `During the soak no service's memory grows after warm-up by more than ${soakThresholdText(SOAK_CRITERIA, 'heap after GC')} of its heap after major GC (NestJS apps) or ${soakThresholdText(SOAK_CRITERIA)} of its RSS (the bare baseline, or no major GC after warm-up).`;
  const figures: Finding['figures'] = {};
  const verdicts: string[] = [];
  const flags: (boolean | null)[] = [];
  for (const variant of VARIANTS) {
    const soak = runsOf(results, 'soak', variant)[0]?.soak;
    if (!soak) continue;
    flags.push(soak.flagged);
    verdicts.push(`${variant}: ${soak.verdict}`);
    for (const service of soak.services)
      figures[`${camel(`${variant}-${service.service.replace('#', '')}`)}GrowthMb`] =
        service.growthMb;
  }
  if (flags.length === 0) {
    return {
      id,
      claim,
      holds: null,
      figures,
      explanation: 'Not measured in this run: needs --scenario soak.',
    };
  }
  const judged = flags.filter((flag): flag is boolean => flag !== null);
  return {
    id,
    claim,
    holds: judged.length === 0 ? null : judged.every((flagged) => !flagged),
    figures,
    explanation: `${verdicts.join('. ')}.`,
  };
}

export function resilienceFindings(results: ScenarioResult[]): Finding[] {
  return [faultsFinding(results), soakFinding(results)];
}
