import { Logger } from '@nestjs/common';
import { topologyConflictLine } from './topology';

/** What an app does when the broker refuses its topology (PRECONDITION_FAILED). */
export type TopologyConflictHandler = (namespace: string, error: unknown) => void;

let exiting = false;

/**
 * Logs {@link topologyConflictLine} once and exits with status 1: no retry can mend arguments
 * that disagree, and reconnecting every second would only repeat the refusal (and its stack).
 */
export const exitOnTopologyConflict: TopologyConflictHandler = (namespace, error) => {
  if (exiting) return;
  exiting = true;
  new Logger('RabbitMQ').fatal(topologyConflictLine(namespace, error));
  process.exit(1);
};
