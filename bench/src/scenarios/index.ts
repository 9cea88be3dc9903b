import type { ScenarioName, ScenarioResult, Transport } from '../model';
import { runBurst } from './burst';
import type { RunContext } from './context';
import type { Shop } from './measure';
import { runOutage } from './outage';
import { runOverhead } from './overhead';
import { runScale } from './scale';
import { runSteady } from './steady';

export type { RunContext } from './context';
export { Shop } from './measure';

/**
 * The order scenarios run in on one shop: those sharing barista settings first, then scale, and
 * overhead last, since an overloaded step may leave work behind.
 */
export const EXECUTION_ORDER: ScenarioName[] = ['steady', 'burst', 'outage', 'scale', 'overhead'];

export const SCENARIO_RUNNERS: Record<
  ScenarioName,
  (ctx: RunContext, transport: Transport, shop: Shop) => Promise<ScenarioResult>
> = {
  steady: runSteady,
  outage: runOutage,
  scale: runScale,
  burst: runBurst,
  overhead: runOverhead,
};
