import { DEFAULT_AMQP_URL } from '@app/platform';
import { parseArgs } from 'node:util';

/** A command line the tool cannot run: main prints it with the usage, exit 2. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
}

export type DlqCommand =
  | { readonly command: 'list'; readonly limit: number; readonly json: boolean }
  | { readonly command: 'replay'; readonly ids: readonly string[] }
  | { readonly command: 'purge' }
  | { readonly command: 'help' };

export interface DlqOptions {
  readonly namespace: string;
  readonly url: string;
  readonly run: DlqCommand;
}

const NAMESPACE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const USAGE = `Usage: npm run dlq -- <command> [--namespace <ns>]

The shop's dead letters, in <ns>.dead-letters on the broker at $AMQP_URL
(default ${DEFAULT_AMQP_URL}).

Commands:
  list [--limit <n>] [--json]   show the dead letters (id, routing key, queue, attempts, when,
                                reason), oldest first, at most n (default 100); they stay put
  replay <id> [<id> ...]        send the dead letter with this message id back to the queue it
                                failed on, its attempt count reset
  purge                         delete every dead letter

Options:
  --namespace <ns>   the shop's AMQP_NAMESPACE (default: $AMQP_NAMESPACE, else coffee-shop)
  -h, --help         this text
`;

export function parseCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): DlqOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        namespace: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const namespace = values.namespace ?? env.AMQP_NAMESPACE?.trim() ?? 'coffee-shop';
  if (!NAMESPACE.test(namespace)) {
    throw new UsageError(
      `--namespace ${JSON.stringify(namespace)}: accepts 1-64 lower-case letters, digits, dots, dashes or underscores`,
    );
  }
  const url = env.AMQP_URL?.trim() || DEFAULT_AMQP_URL;
  if (!/^amqps?:\/\/\S+$/.test(url)) {
    throw new UsageError(`AMQP_URL=${JSON.stringify(url)}: accepts an amqp:// or amqps:// URL`);
  }
  const [command, ...rest] = positionals;
  const onlyFor = (flag: 'limit' | 'json', wanted: string) => {
    if (values[flag] !== undefined && values[flag] !== false && command !== wanted) {
      throw new UsageError(`--${flag} goes with ${wanted} only`);
    }
  };
  onlyFor('limit', 'list');
  onlyFor('json', 'list');
  if (values.help || command === undefined || command === 'help') {
    return { namespace, url, run: { command: 'help' } };
  }
  switch (command) {
    case 'list': {
      if (rest.length > 0) throw new UsageError(`list takes no arguments, got ${rest.join(' ')}`);
      const limit = values.limit === undefined ? 100 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) {
        throw new UsageError(`--limit takes a whole number from 1 to 100000, got ${values.limit}`);
      }
      return { namespace, url, run: { command: 'list', limit, json: values.json } };
    }
    case 'replay':
      if (rest.length === 0) throw new UsageError('replay needs the message id of a dead letter');
      return { namespace, url, run: { command: 'replay', ids: [...new Set(rest)] } };
    case 'purge':
      if (rest.length > 0) throw new UsageError(`purge takes no arguments, got ${rest.join(' ')}`);
      return { namespace, url, run: { command: 'purge' } };
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}: list, replay or purge`);
  }
}
