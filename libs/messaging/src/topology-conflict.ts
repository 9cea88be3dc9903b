import { Logger } from '@nestjs/common';
import { topologyConflictLine } from './topology';

/** What an app does when the broker refuses its topology (PRECONDITION_FAILED). */
export type TopologyConflictHandler = (namespace: string, error: unknown) => void;

let exiting = false;

const EXIT_AFTER_MS = 200;

/**
 * Logs {@link topologyConflictLine} once and exits with status 1: no retry can mend arguments
 * that disagree, and reconnecting every second would only repeat the refusal (and its stack).
 */
export const exitOnTopologyConflict: TopologyConflictHandler = (namespace, error) => {
  if (exiting) return;
  exiting = true;
  new Logger('RabbitMQ').fatal(topologyConflictLine(namespace, error));
  // Start-up logs are buffered until the app is initialised (bufferLogs), which it never will be.
  Logger.flush();
  // The app's logger (pino) writes asynchronously: give the line a moment to leave.
  process.exitCode = 1;
  setTimeout(() => process.exit(1), EXIT_AFTER_MS);
};
