import type { ScenarioName, ScenarioResult, Transport } from '../model';
import { runBurst } from './burst';
import type { RunContext } from './context';
import { runFaults } from './faults';
import type { Shop } from './measure';
import { runOutage } from './outage';
import { runOverhead } from './overhead';
import { runReplication } from './replication';
import { runScale } from './scale';
import { runScaleOut } from './scale-out';
import { runStoreCost } from './store-cost';
import { runSoak } from './soak';
import { runSteady } from './steady';
import { runTracing } from './tracing';

export type { RunContext } from './context';
export { Shop } from './measure';

/**
 * The order scenarios run in on one shop: those sharing barista settings first, then scale, and
 * overhead last, since an overloaded step may leave work behind. Faults comes last of those that
 * share settings: after a broker restart it stops the shop, and the next scenario starts afresh.
 * Replication runs right after it, on shops of its own, so that the 3-node cluster the node-loss
 * faults started serves it too and can be stopped before the rest. Scale-out and store-cost come
 * last: they stop the variant's shop and run shops of their own on PostgreSQL.
 */
export const EXECUTION_ORDER: ScenarioName[] = [
  'steady',
  'burst',
  'outage',
  'soak',
  'tracing',
  'faults',
  'replication',
  'scale',
  'overhead',
  'scale-out',
  'store-cost',
];

export const SCENARIO_RUNNERS: Record<
  ScenarioName,
  (ctx: RunContext, transport: Transport, shop: Shop) => Promise<ScenarioResult>
> = {
  steady: runSteady,
  outage: runOutage,
  scale: runScale,
  burst: runBurst,
  overhead: runOverhead,
  faults: runFaults,
  replication: runReplication,
  soak: runSoak,
  tracing: runTracing,
  'scale-out': runScaleOut,
  'store-cost': runStoreCost,
};
