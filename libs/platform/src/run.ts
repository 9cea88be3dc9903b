import { Logger } from '@nestjs/common';
import { ConfigError } from './config';

/**
 * Runs an app's start-up. A configuration error stops the process with its one line (no stack
 * trace: the operator needs the variable, not our call chain); anything else is logged in full.
 */
export function runMain(name: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    const logger = new Logger(name);
    if (error instanceof ConfigError) logger.fatal(error.message);
    else logger.fatal(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
