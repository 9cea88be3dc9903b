import type { Finding, RunResult, ScenarioName, ScenarioResult, Variant } from './model';
import { cascadeFindings } from './cascade-findings';
import { clusterFindings } from './cluster-findings';
import { resilienceFindings } from './resilience-findings';
import { missing, storeFindings } from './store-findings';
import { tracingFinding } from './tracing-findings';
import { baristaCapacity } from './scenarios/scale';

function find(
  results: ScenarioResult[],
  scenario: ScenarioName,
  variant: Variant,
): ScenarioResult | undefined {
  return results.find((r) => r.scenario === scenario && r.variant === variant && !r.error);
}

function run(
  results: ScenarioResult[],
  scenario: ScenarioName,
  variant: Variant,
  label?: string,
): RunResult | undefined {
  const result = find(results, scenario, variant);
  return label === undefined ? result?.runs[0] : result?.runs.find((r) => r.label === label);
}

/** Claim 2 vs 3: while barista is down, sync fails the orders and async queues them. */
export function outageFinding(results: ScenarioResult[]): Finding {
  const id = 'outage-sync-fails-async-loses-none';
  const claim =
    'While barista is down, sync (http) fails or loses the orders that arrive; async (rmq) accepts them all and loses none.';
  const http = run(results, 'outage', 'http');
  const rmq = run(results, 'outage', 'rmq');
  if (!http?.outage || !rmq?.outage)
    return missing(id, claim, 'the outage scenario under both transports');
  const h = http.outage.duringOutage;
  const r = rmq.outage.duringOutage;
  const httpHurt = h.failed + h.lost;
  const holds =
    h.sent > 0 &&
    httpHurt > 0 &&
    r.sent > 0 &&
    r.accepted === r.sent &&
    rmq.counts.lost === 0 &&
    rmq.counts.failed === 0;
  return {
    id,
    claim,
    holds,
    figures: {
      httpDueDuringOutage: h.sent,
      httpFailedDuringOutage: h.failed,
      httpLostDuringOutage: h.lost,
      httpFailedTotal: http.counts.failed,
      rmqDueDuringOutage: r.sent,
      rmqAcceptedDuringOutage: r.accepted,
      rmqCompletedDuringOutage: r.completed,
      rmqLostTotal: rmq.counts.lost,
      rmqFailedTotal: rmq.counts.failed,
      rmqPeakBaristaQueue: rmq.peakQueueDepth?.barista ?? null,
    },
    explanation: holds
      ? `Of ${h.sent} orders due while barista was down, http failed ${h.failed} and lost ${h.lost}; rmq accepted ${r.accepted} of ${r.sent}, queued up to ${rmq.peakQueueDepth?.barista ?? '?'} and brewed them all after the restart (${rmq.counts.lost} lost overall).`
      : `Expected http to fail orders during the outage and rmq to lose none: http failed ${h.failed}/lost ${h.lost} of ${h.sent}; rmq accepted ${r.accepted} of ${r.sent}, lost ${rmq.counts.lost}, failed ${rmq.counts.failed}.`,
  };
}

/**
 * What the usual mitigations buy the sync pattern: the same outage under http with order's
 * defences off and on. The coupling stays (orders due while barista is down still fail); what
 * changes is how many requests the dead service gets and how the failures come.
 */
export function defencesFinding(results: ScenarioResult[]): Finding {
  const id = 'sync-defences-do-not-decouple';
  const claim =
    'Retries and a circuit breaker do not decouple sync from barista: with them on, the orders due while barista is down still fail; the breaker stops calling it.';
  const plain = run(results, 'outage', 'http');
  const defended = run(results, 'outage', 'http+defences');
  if (!plain?.outage || !defended?.outage)
    return missing(id, claim, 'the outage scenario under http and http+defences');
  const p = plain.outage;
  const d = defended.outage;
  const pCalls = plain.downstreamCalls?.barista;
  const dCalls = defended.downstreamCalls?.barista;
  const figures: Finding['figures'] = {
    httpDueDuringOutage: p.duringOutage.sent,
    httpFailedDuringOutage: p.duringOutage.failed,
    httpFailedOnceBack: p.afterOutage.failed,
    httpBaristaRequests: pCalls?.attempts ?? null,
    httpFailedP50Ms: plain.failedLatency.p50,
    httpFailedP99Ms: plain.failedLatency.p99,
    defendedDueDuringOutage: d.duringOutage.sent,
    defendedFailedDuringOutage: d.duringOutage.failed,
    defendedCompletedDuringOutage: d.duringOutage.completed,
    defendedFailedOnceBack: d.afterOutage.failed,
    defendedBaristaRequests: dCalls?.attempts ?? null,
    defendedBaristaRetries: dCalls?.retries ?? null,
    defendedFailedFast: dCalls?.failedFast ?? null,
    defendedFailedP50Ms: defended.failedLatency.p50,
    defendedFailedP99Ms: defended.failedLatency.p99,
  };
  const steadyPlain = run(results, 'steady', 'http');
  const steadyDefended = run(results, 'steady', 'http+defences');
  if (steadyPlain && steadyDefended) {
    figures.httpSteadyClientP50Ms = steadyPlain.clientLatency.p50;
    figures.defendedSteadyClientP50Ms = steadyDefended.clientLatency.p50;
  }
  const holds =
    d.duringOutage.sent > 0 && d.duringOutage.failed > 0 && (dCalls?.failedFast ?? 0) > 0;
  const requests =
    pCalls && dCalls
      ? ` Barista got ${dCalls.attempts} requests (${dCalls.retries} of them retries) against ${pCalls.attempts} without defences; the open circuit failed ${dCalls.failedFast} orders without a request.`
      : '';
  return {
    id,
    claim,
    holds,
    figures,
    explanation:
      `Of ${d.duringOutage.sent} orders due while barista was down, http+defences failed ${d.duringOutage.failed} (plain http: ${p.duringOutage.failed} of ${p.duringOutage.sent}).${requests}` +
      ` Once barista was back, ${d.afterOutage.failed} more orders failed with defences (${p.afterOutage.failed} without) while the circuit waited out its cool-down. Failed answers came at p50 ${defended.failedLatency.p50} ms, p99 ${defended.failedLatency.p99} ms (without: ${plain.failedLatency.p50} / ${plain.failedLatency.p99} ms).` +
      (holds
        ? ''
        : (dCalls?.failedFast ?? 0) === 0
          ? ' The circuit never failed an order fast: it did not open.'
          : ' The retries carried every order due through the outage.'),
  };
}

/** Claim 3/5: the async client does not wait for the brew; the sync client does. */
export function latencyFinding(results: ScenarioResult[]): Finding {
  const id = 'async-latency-independent-of-brew';
  const claim =
    "The async client's latency does not include the brew time; the sync client's does.";
  const http = run(results, 'steady', 'http');
  const rmq = run(results, 'steady', 'rmq');
  if (!http || !rmq) return missing(id, claim, 'the steady scenario under both transports');
  const brewMs = http.params.brewMs;
  const figures: Finding['figures'] = {
    brewMs,
    httpClientP50Ms: http.clientLatency.p50,
    httpClientP99Ms: http.clientLatency.p99,
    rmqClientP50Ms: rmq.clientLatency.p50,
    rmqClientP99Ms: rmq.clientLatency.p99,
    rmqBuzzP50Ms: rmq.buzzLatency.p50,
  };
  // With brew time 0 (overhead), the same comparison shows what the brew adds to each.
  const httpZero = find(results, 'overhead', 'http')?.steps?.find((s) => s.system === 'nest');
  const rmqZero = find(results, 'overhead', 'rmq')?.steps?.find((s) => s.system === 'nest');
  if (httpZero) figures.httpClientP50AtBrew0Ms = httpZero.run.clientLatency.p50;
  if (rmqZero) figures.rmqClientP50AtBrew0Ms = rmqZero.run.clientLatency.p50;
  if (brewMs <= 0) {
    return {
      id,
      claim,
      holds: null,
      figures,
      explanation: 'Brew time was 0, so there is no brew for the sync client to wait for.',
    };
  }
  const holds =
    http.clientLatency.p50 >= brewMs &&
    rmq.clientLatency.p99 < brewMs &&
    http.counts.accepted > 0 &&
    rmq.counts.accepted > 0;
  return {
    id,
    claim,
    holds,
    figures,
    explanation: holds
      ? `With a ${brewMs} ms brew, the http client waited p50 ${http.clientLatency.p50} ms (brew included); the rmq client got its answer at p50 ${rmq.clientLatency.p50} ms (p99 ${rmq.clientLatency.p99} ms) and its coffee was buzzed at p50 ${rmq.buzzLatency.p50} ms.`
      : `Expected the http client's p50 >= ${brewMs} ms and the rmq client's p50 < ${brewMs} ms (its buzz p50 >= ${brewMs} ms); got http p50 ${http.clientLatency.p50} ms, rmq p50 ${rmq.clientLatency.p50} ms, rmq buzz p50 ${rmq.buzzLatency.p50} ms.`,
  };
}

/** Claim 3/5: more consumers on the queue brew more coffee per second. */
export function scaleFinding(results: ScenarioResult[]): Finding {
  const id = 'more-baristas-raise-async-throughput';
  const claim =
    'Three barista instances complete more orders per second than one under async (competing consumers).';
  const one = run(results, 'scale', 'rmq', 'x1');
  const three = run(results, 'scale', 'rmq', 'x3');
  if (!one || !three) return missing(id, claim, 'the scale scenario under rmq');
  const capacity = baristaCapacity(1, one.params.machines, one.params.brewMs);
  const rate = one.throughput.offeredPerSec;
  const figures: Finding['figures'] = {
    offeredPerSec: rate,
    oneBaristaCapacityPerSec: capacity,
    rmqX1CompletedPerSec: one.throughput.completedPerSec,
    rmqX3CompletedPerSec: three.throughput.completedPerSec,
    rmqX1BuzzP99Ms: one.buzzLatency.p99,
    rmqX3BuzzP99Ms: three.buzzLatency.p99,
    rmqX1PeakQueue: one.peakQueueDepth?.barista ?? null,
    rmqX3PeakQueue: three.peakQueueDepth?.barista ?? null,
  };
  const httpOne = run(results, 'scale', 'http', 'x1');
  const httpThree = run(results, 'scale', 'http', 'x3');
  if (httpOne && httpThree) {
    figures.httpX1CompletedPerSec = httpOne.throughput.completedPerSec;
    figures.httpX3CompletedPerSec = httpThree.throughput.completedPerSec;
  }
  const holds = three.throughput.completedPerSec > 1.2 * one.throughput.completedPerSec;
  const saturated = capacity !== null && rate > capacity;
  return {
    id,
    claim,
    holds,
    figures,
    explanation: holds
      ? `One barista (${capacity ?? '∞'} orders/s at most) completed ${one.throughput.completedPerSec}/s at an offered ${rate}/s; three completed ${three.throughput.completedPerSec}/s.`
      : saturated
        ? `Three baristas completed ${three.throughput.completedPerSec}/s against ${one.throughput.completedPerSec}/s for one, although one barista's capacity (${capacity}/s) was below the offered ${rate}/s: the bottleneck was elsewhere (see CPU).`
        : `The offered rate (${rate}/s) did not exceed one barista's capacity (${capacity ?? 'unbounded'}/s), so one barista kept up and more could not add throughput; raise --rate or lower --machines.`,
  };
}

/** The performance target: NestJS sustains at least half of the bare baseline. */
export function overheadFindings(results: ScenarioResult[]): Finding[] {
  return (['rmq', 'http'] as const).map((transport) => {
    const id = `nest-${transport}-at-least-half-of-bare`;
    const claim = `The NestJS ${transport} pipeline sustains at least half of the bare baseline's rate with zero lost orders (brew 0).`;
    const summary = find(results, 'overhead', transport)?.overhead;
    if (!summary) return missing(id, claim, `the overhead scenario under ${transport}`);
    const figures: Finding['figures'] = {
      nestRate: summary.nest?.rate ?? null,
      nestCompletedPerSec: summary.nest?.completedPerSec ?? null,
      nestBuzzP99Ms: summary.nest?.buzzP99Ms ?? null,
      baselineRate: summary.baseline?.rate ?? null,
      baselineCompletedPerSec: summary.baseline?.completedPerSec ?? null,
      baselineBuzzP99Ms: summary.baseline?.buzzP99Ms ?? null,
      ratio: summary.ratio,
    };
    if (!summary.baseline || !summary.nest) {
      return {
        id,
        claim,
        holds: summary.nest && !summary.baseline && summary.baselineSkipped ? null : false,
        figures,
        explanation: summary.baselineSkipped
          ? `Baseline not measured (${summary.baselineSkipped}).`
          : `No sustainable step for ${summary.nest ? 'the baseline' : 'NestJS'} among the rates tried.`,
      };
    }
    const capped = summary.nest.limitNotReached || summary.baseline.limitNotReached;
    const holds = summary.ratio !== null && summary.ratio >= 0.5 && summary.nest.lost === 0;
    return {
      id,
      claim,
      holds,
      figures,
      explanation: `NestJS sustained ${summary.nest.rate}/s, the baseline ${summary.baseline.rate}/s (ratio ${summary.ratio}).${capped ? ' The highest rate tried was still sustainable for at least one of them, so its real limit is higher (raise --max-rate; quick mode tries few rates).' : ''}`,
    };
  });
}

/** The latency target: rmq accept p99 under 10 ms at 1,000 orders/s with brew 0. */
export function acceptLatencyFinding(results: ScenarioResult[]): Finding {
  const id = 'rmq-accept-p99-under-10ms-at-1000';
  const claim =
    'At 1,000 orders/s with brew time 0, the async client’s p99 accept latency stays under 10 ms.';
  const step = find(results, 'overhead', 'rmq')?.steps?.find(
    (s) => s.system === 'nest' && s.rate === 1000,
  );
  if (!step) return missing(id, claim, 'the overhead scenario under rmq with a 1000/s step');
  return {
    id,
    claim,
    holds: step.run.clientLatency.p99 < 10 && step.run.counts.failed === 0,
    figures: {
      rate: 1000,
      clientP50Ms: step.run.clientLatency.p50,
      clientP99Ms: step.run.clientLatency.p99,
      clientMaxMs: step.run.clientLatency.max,
      failed: step.run.counts.failed,
    },
    explanation: `At 1000/s the rmq client's accept latency was p50 ${step.run.clientLatency.p50} ms, p99 ${step.run.clientLatency.p99} ms.`,
  };
}

export function computeFindings(results: ScenarioResult[]): Finding[] {
  return [
    outageFinding(results),
    defencesFinding(results),
    latencyFinding(results),
    scaleFinding(results),
    ...overheadFindings(results),
    acceptLatencyFinding(results),
    ...resilienceFindings(results),
    ...cascadeFindings(results),
    tracingFinding(results),
    ...clusterFindings(results),
    ...storeFindings(results),
  ];
}
