import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit
 * that crosses the threshold and syncs the WAL and the database file there: a stall every few
 * hundred commits, which the requests waiting behind it feel (docs/results.md). This worker
 * thread holds its own connection and runs a PASSIVE checkpoint (it never blocks the writer)
 * every `intervalMs`; the app's connection turns its automatic checkpoints off.
 */
export class Checkpointer {
  private constructor(private readonly worker: Worker) {}

  /** `failed` is told if the thread dies: the caller then checkpoints by itself again. */
  static start(path: string, intervalMs: number, failed: (error: Error) => void): Checkpointer {
    // The module as this file resolves it, whatever the process's working folder.
    const driver = createRequire(__filename).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path, intervalMs },
    });
    worker.on('error', failed);
    worker.unref();
    return new Checkpointer(worker);
  }

  /** Stops after the checkpoint in progress, if any; resolves once the thread has exited. */
  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage('stop');
    await exited;
  }
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 5000, fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closing: the next tick tries again.
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;
