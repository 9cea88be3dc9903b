import { spawnSync } from 'node:child_process';
import { appArgs, ROOT } from './support/spawned-app';

/** Starts an app's main.ts as a user would (its own process, env vars only), without a build. */
function start(app: string, env: Record<string, string>) {
  return spawnSync(process.execPath, appArgs(app), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('configuration validated at start-up', () => {
  it.each([
    ['barista', { BREW_MS: 'abc' }, /BREW_MS="abc": accepts a whole number of milliseconds/],
    ['order', { TRANSPORT: 'kafka' }, /TRANSPORT="kafka": accepts http or rmq/],
    [
      'pager',
      { PAGER_PORT: '70000' },
      /PAGER_PORT="70000": accepts a whole number from 1 to 65535/,
    ],
    [
      'order',
      { BARISTA_URL: 'ftp://barista' },
      /BARISTA_URL="ftp:\/\/barista": accepts one or more/,
    ],
    [
      'gateway',
      { BARISTA_UPSTREAMS: 'barista:3001' },
      /BARISTA_UPSTREAMS="barista:3001": accepts one or more http\(s\):\/\/ origins/,
    ],
    // The store: a URL that no PostgreSQL answers, or a database that does not exist there.
    [
      'barista',
      { DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/test' },
      /DATABASE_URL=postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test: no PostgreSQL database answers there \(connect ECONNREFUSED/,
    ],
    [
      'pager',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/no_such_database' },
      /DATABASE_URL=.*: no PostgreSQL database answers there \(database "no_such_database" does not exist\)/,
    ],
    [
      'order',
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' },
      /DATABASE_URL=postgres:\/\/postgres@127\.0\.0\.1:1\/test: no PostgreSQL database answers there \(connect ECONNREFUSED/,
    ],
  ])('%s stops with one line naming the wrong variable', (app, env, expected) => {
    const run = start(app, env);

    expect(run.status).toBe(1);
    const lines = `${run.stdout}${run.stderr}`.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/FATAL/);
    expect(lines[0]).toMatch(expected);
  });
});
