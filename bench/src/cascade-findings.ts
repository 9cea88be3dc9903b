import {
  HUNG_CALLEE_FAULTS,
  type FaultKind,
  type Finding,
  type RunResult,
  type ScenarioResult,
  type Variant,
} from './model';

const CLAIMS: Record<string, string> = {
  'barista-hang':
    'While barista hangs (frozen: its port accepts, nothing answers), sync (http) clients wait and fail and order holds every call open; async (rmq) accepts every order at its usual speed and loses none.',
  'barista-slow':
    'While barista is slow (brew time ×10), sync (http) clients wait or time out while the calls pile up in order; async (rmq) accepts every order at its usual speed and the backlog drains afterwards.',
  'pager-hang':
    'While the last hop (pager) hangs, sync (http) fails orders whose coffee was already brewed (work done and wasted); async (rmq) accepts them all and buzzes them once pager resumes.',
};

/** rmq's accept latency counts as flat while the fault lasts below this p99 (the normal-buzz floor). */
const FLAT_ACCEPT_P99_MS = 250;

const sec = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '?' : (ms / 1000).toFixed(1);
const msText = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '?' : `${Math.round(ms * 10) / 10}`;

function faultRun(results: ScenarioResult[], variant: Variant, kind: FaultKind) {
  return results
    .filter((r) => r.scenario === 'faults' && r.variant === variant && !r.error)
    .flatMap((r) => r.runs)
    .find((run) => run.fault?.kind === kind && run.fault.callerHealth);
}

function lastingMs(run: RunResult): number | null {
  const f = run.fault;
  if (!f || f.injectedAtMs === null) return null;
  return (f.restartedAtMs ?? f.healthyAtMs ?? f.injectedAtMs) - f.injectedAtMs;
}

function hops(run: RunResult): string {
  const entries = Object.entries(run.counts.failedByHop).filter(([, n]) => n > 0);
  return entries.length === 0 ? '' : `: ${entries.map(([hop, n]) => `${n} at ${hop}`).join(', ')}`;
}

/** What one http variant went through, in a sentence. */
function syncStory(run: RunResult, callee: string): string {
  const f = run.fault;
  const h = f?.callerHealth;
  if (!f || !h) return '';
  const calls = run.downstreamCalls?.[callee];
  const inFlight = callee === 'pager' ? h.peakPagerInFlight : h.peakBaristaInFlight;
  const sockets = callee === 'pager' ? h.peakPagerSockets : h.peakBaristaSockets;
  return (
    `clients waited up to ${sec(h.clientWaitMaxMs)} s (p99 ${sec(h.clientWaitP99Ms)} s), ` +
    `${f.duringFault.failed} of the ${f.duringFault.sent} orders due meanwhile failed (${run.counts.failed} in the run${hops(run)}` +
    `${calls && calls.failedFast > 0 ? `, ${calls.failedFast} of them failed fast by the open circuit` : ''}), ` +
    `order's GET /orders/:id p99 went from ${msText(h.getOrderBeforeP99Ms)} to ${msText(h.getOrderDuringP99Ms)} ms ` +
    `and its event-loop delay p99 peaked at ${msText(h.eventLoopDelayPeakMs)} ms, ` +
    `with up to ${inFlight ?? '?'} calls in flight to ${callee} over ${sockets ?? '?'} sockets` +
    `${calls ? `; ${callee} got ${calls.attempts} requests (${calls.retries} retries)` : ''}` +
    `${h.wastedBrews ? `; barista brewed ${h.wastedBrews} coffees for orders that then failed` : ''}`
  );
}

function asyncStory(run: RunResult): string {
  const f = run.fault;
  const h = f?.callerHealth;
  if (!f || !h) return '';
  return (
    `rmq accepted ${f.duringFault.accepted} of ${f.duringFault.sent} due meanwhile with accept p99 ${msText(h.clientWaitP99Ms)} ms ` +
    `(max ${msText(h.clientWaitMaxMs)} ms), queued up to ${h.peakQueue ?? '?'}, drained ${sec(f.recovery.backlogDrainedSeconds === null ? null : f.recovery.backlogDrainedSeconds * 1000)} s after the fault began; ` +
    `${run.counts.lost} lost, ${f.brewedTwice ?? 0} brewed twice, ${run.counts.duplicated} buzzed twice; ` +
    `order's GET /orders/:id p99 ${msText(h.getOrderBeforeP99Ms)} → ${msText(h.getOrderDuringP99Ms)} ms`
  );
}

/** One finding per hung or slowed callee: the caller's cascade under http, none under rmq. */
export function cascadeFinding(results: ScenarioResult[], kind: FaultKind): Finding {
  const id = `${kind}-cascade`;
  const claim = CLAIMS[kind];
  const http = faultRun(results, 'http', kind);
  const defended = faultRun(results, 'http+defences', kind);
  const rmq = faultRun(results, 'rmq', kind);
  if (!http || !rmq) {
    return {
      id,
      claim,
      holds: null,
      figures: {},
      explanation: `Not measured in this run: needs the faults scenario with ${kind} under http and rmq.`,
    };
  }
  const callee = kind === 'pager-hang' ? 'pager' : 'barista';
  const figures: Finding['figures'] = {};
  for (const [name, run] of [
    ['http', http],
    ['defended', defended],
    ['rmq', rmq],
  ] as const) {
    const f = run?.fault;
    const h = f?.callerHealth;
    if (!f || !h) continue;
    Object.assign(figures, {
      [`${name}FaultSeconds`]: Math.round((lastingMs(run) ?? 0) / 100) / 10,
      [`${name}DueDuringFault`]: f.duringFault.sent,
      [`${name}FailedDuringFault`]: f.duringFault.failed,
      [`${name}Failed`]: run.counts.failed,
      [`${name}Lost`]: run.counts.lost,
      [`${name}ClientWaitP99Ms`]: h.clientWaitP99Ms,
      [`${name}ClientWaitMaxMs`]: h.clientWaitMaxMs,
      [`${name}GetOrderBeforeP99Ms`]: h.getOrderBeforeP99Ms,
      [`${name}GetOrderDuringP99Ms`]: h.getOrderDuringP99Ms,
      [`${name}EventLoopDelayPeakMs`]: h.eventLoopDelayPeakMs,
      [`${name}OrderRssPeakMb`]: h.orderRssPeakMb,
      [`${name}PeakInFlight`]: callee === 'pager' ? h.peakPagerInFlight : h.peakBaristaInFlight,
      [`${name}WastedBrews`]: h.wastedBrews,
    });
    const calls = run.downstreamCalls?.[callee];
    if (calls) {
      figures[`${name}CalleeRequests`] = calls.attempts;
      figures[`${name}FailedFast`] = calls.failedFast;
    }
    if (name === 'rmq') {
      figures.rmqPeakQueue = h.peakQueue;
      figures.rmqDrainedSeconds = f.recovery.backlogDrainedSeconds;
      figures.rmqBrewedTwice = f.brewedTwice;
    }
  }
  const h = http.fault?.callerHealth;
  const r = rmq.fault;
  const httpHurt = (http.fault?.duringFault.failed ?? 0) > 0 || (h?.clientWaitMaxMs ?? 0) >= 1000;
  const wasted = kind !== 'pager-hang' || (h?.wastedBrews ?? 0) > 0;
  const rmqFine =
    !!r &&
    r.duringFault.sent > 0 &&
    r.duringFault.accepted === r.duringFault.sent &&
    rmq.counts.lost === 0 &&
    rmq.counts.failed === 0 &&
    (r.brewedTwice ?? 0) === 0 &&
    (r.callerHealth?.clientWaitP99Ms ?? Infinity) < FLAT_ACCEPT_P99_MS;
  const what =
    kind === 'barista-slow'
      ? `barista brewed ${http.fault?.action.match(/(\d+) ×/)?.[1] ?? '10'} × slower for ${sec(lastingMs(http))} s`
      : `${callee} hung for ${sec(lastingMs(http))} s`;
  return {
    id,
    claim,
    holds: httpHurt && wasted && rmqFine,
    figures,
    explanation:
      `While ${what}: http ${syncStory(http, callee)}.` +
      (defended ? ` With defences (retries, breaker): ${syncStory(defended, callee)}.` : '') +
      ` ${asyncStory(rmq)}.`,
  };
}

export function cascadeFindings(results: ScenarioResult[]): Finding[] {
  return HUNG_CALLEE_FAULTS.map((kind) => cascadeFinding(results, kind));
}
