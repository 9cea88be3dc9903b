import { Logger } from '@nestjs/common';
import { ConfigError } from './config';

const EXIT_AFTER_MS = 200;

/**
 * Runs an app's start-up. A configuration error stops the process with its one line (no stack
 * trace: the operator needs the variable, not our call chain); anything else is logged in full.
 */
export function runMain(name: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    const logger = new Logger(name);
    if (error instanceof ConfigError) logger.fatal(error.message);
    else logger.fatal(error instanceof Error ? (error.stack ?? error.message) : String(error));
    // Logs are buffered until the app is initialised (bufferLogs); once it is, they go through
    // pino, which writes asynchronously: give the line a moment to leave before exiting.
    Logger.flush();
    process.exitCode = 1;
    setTimeout(() => process.exit(1), EXIT_AFTER_MS);
  });
}
