import { execFileSync, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectBroker } from './broker';

/**
 * Stops and starts the message broker itself, for the faults scenario. Behind an interface so the
 * scenario's logic can be tested without touching the RabbitMQ everything else on the machine uses.
 */
export interface BrokerControl {
  /** What stops and starts the broker, for the report. */
  readonly description: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Resolves once the broker accepts AMQP connections; rejects after `timeoutMs`. */
  waitUp(timeoutMs: number): Promise<void>;
}

/** Runs a command line tool to completion; rejects with its output when it fails. */
export type ToolRunner = (command: string, args: string[], timeoutMs: number) => Promise<string>;

export const runTool: ToolRunner = (command, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    // Its own process group: a Ctrl-C in the terminal must not kill rabbitmqctl halfway through.
    const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const what = `${command} ${args.join(' ')}`;
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${what} failed: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(output);
        return;
      }
      const tail = output.trim().split('\n').slice(-3).join(' ');
      const how = signal ? `killed by ${signal} (timeout ${timeoutMs} ms?)` : `exit ${code}`;
      reject(new Error(`${what} failed (${how})${tail ? `: ${tail}` : ''}`));
    });
  });

/** Set while the broker is stopped by this process, so that any way out starts it again. */
let stoppedByUs = false;

/**
 * Starts the broker again if this process stopped it and has not started it yet: synchronous, for
 * `process.on('exit')` and the forced exit on a second Ctrl-C. Returns whether it had to.
 */
export function restoreBrokerNow(): boolean {
  if (!stoppedByUs) return false;
  stoppedByUs = false;
  try {
    execFileSync('rabbitmqctl', ['start_app'], { timeout: 60000, stdio: 'ignore' });
  } catch {
    process.stderr.write(
      'bench: could not start RabbitMQ again: run `rabbitmqctl start_app` by hand\n',
    );
  }
  return true;
}

/**
 * The local RabbitMQ node through its own CLI: `rabbitmqctl stop_app` stops the broker inside a
 * running Erlang node (every connection is closed, durable queues and persistent messages stay),
 * `start_app` starts it again. Up means `rabbitmq-diagnostics -q ping` answers (the node is
 * reachable) and an AMQP connection succeeds (the broker itself runs: ping alone also succeeds
 * after stop_app).
 */
export class RabbitmqCtl implements BrokerControl {
  readonly description = 'rabbitmqctl stop_app / start_app';

  constructor(
    private readonly amqpUrl: string,
    private readonly run: ToolRunner = runTool,
    private readonly connect: (url: string) => Promise<void> = async (url) => {
      const connection = await connectBroker(url, 2000);
      await connection.close().catch(() => undefined);
    },
  ) {}

  async stop(): Promise<void> {
    // Marked before the command: if it is interrupted halfway, start_app is still owed.
    stoppedByUs = true;
    await this.run('rabbitmqctl', ['stop_app'], 60000);
  }

  async start(): Promise<void> {
    await this.run('rabbitmqctl', ['start_app'], 60000);
    stoppedByUs = false;
  }

  async waitUp(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = 'not tried';
    while (performance.now() < deadline) {
      try {
        await this.run('rabbitmq-diagnostics', ['-q', 'ping'], 10000);
        await this.connect(this.amqpUrl);
        return;
      } catch (error) {
        last = error instanceof Error ? error.message.split('\n')[0] : String(error);
      }
      await sleep(250);
    }
    throw new Error(`RabbitMQ was not up within ${timeoutMs} ms (${last})`);
  }
}
