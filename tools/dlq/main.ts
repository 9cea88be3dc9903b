import { connect, type ChannelModel } from 'amqplib';
import { parseCli, USAGE, UsageError, type DlqOptions } from './cli';
import { DeadLetterQueue, type DeadLetterView } from './dead-letters';

const CONNECT_TIMEOUT_MS = 5000;

/** A run that cannot go on: main prints the message on one line, exit 1. */
class Failure extends Error {}

function write(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

async function open(url: string): Promise<ChannelModel> {
  try {
    const connection = await connect(url, {
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: 'coffee-shop dlq tool' },
    });
    connection.on('error', () => undefined);
    return connection;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] || error.name : String(error);
    throw new Failure(
      `RabbitMQ is not reachable at ${redact(url)} (${why}); start it with \`rabbitmq-server -detached\` or set AMQP_URL`,
    );
  }
}

function table(letters: readonly DeadLetterView[]): string[] {
  const rows = letters.map((letter) => [
    letter.id ?? '(no id)',
    letter.routingKey,
    letter.queue ?? '?',
    letter.attempts === null ? '-' : String(letter.attempts),
    letter.deadLetteredAt ?? '-',
    letter.reason,
  ]);
  const header = ['ID', 'ROUTING KEY', 'QUEUE', 'ATTEMPTS', 'DEAD-LETTERED AT', 'REASON'];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => row[i].length)),
  );
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

async function run({ namespace, url, run: command }: DlqOptions): Promise<number> {
  if (command.command === 'help') {
    write(USAGE);
    return 0;
  }
  const connection = await open(url);
  try {
    const queue = new DeadLetterQueue(connection, namespace);
    const attempt = async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        throw new Failure(error instanceof Error ? error.message : String(error));
      }
    };
    switch (command.command) {
      case 'list': {
        const { total, letters } = await attempt(() => queue.list(command.limit));
        if (command.json) {
          write(JSON.stringify({ queue: queue.name, total, letters }, null, 2));
          return 0;
        }
        write(`${total} dead letter(s) in ${queue.name}`);
        if (letters.length > 0) for (const line of table(letters)) write(line);
        if (total > letters.length) write(`(${total - letters.length} more; see --limit)`);
        return 0;
      }
      case 'replay': {
        const outcomes = await attempt(() => queue.replay(command.ids));
        for (const outcome of outcomes) {
          write(
            `${outcome.replayed ? 'replayed' : 'not replayed'} ${outcome.id}: ${outcome.detail}`,
          );
        }
        return outcomes.every((outcome) => outcome.replayed) ? 0 : 1;
      }
      case 'purge': {
        const purged = await attempt(() => queue.purge());
        write(`purged ${purged} dead letter(s) from ${queue.name}`);
        return 0;
      }
    }
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  try {
    process.exitCode = await run(parseCli(process.argv.slice(2)));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`dlq: ${error.message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof Failure) {
      process.stderr.write(`dlq: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `dlq: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    }
  }
}

void main();
