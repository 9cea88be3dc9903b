import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Migration, SqliteDatabase } from './sqlite-database';
import { tempDir } from './testing/temp-dir';

const notes: Migration = {
  id: 'test-001-notes',
  sql: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)',
};
const seeded: Migration = {
  id: 'test-002-seed',
  sql: "INSERT INTO notes (text) VALUES ('seed')",
};

describe('SqliteDatabase', () => {
  let dir: ReturnType<typeof tempDir>;
  const open: SqliteDatabase[] = [];
  const openAt = (path: string, migrations: Migration[] = [notes], synchronous?: 'full') => {
    const db = SqliteDatabase.open({ path, migrations, synchronous });
    open.push(db);
    return db;
  };
  const texts = (db: SqliteDatabase) =>
    db
      .prepare<[], { text: string }>('SELECT text FROM notes ORDER BY id')
      .all()
      .map((r) => r.text);

  beforeEach(() => (dir = tempDir()));
  afterEach(() => {
    open.splice(0).forEach((db) => db.close());
    dir.remove();
  });

  it('opens a file in WAL mode with synchronous NORMAL, creating its folder', () => {
    const path = join(dir.path, 'nested', 'folder', 'app.sqlite');
    const db = openAt(path);

    expect(existsSync(path)).toBe(true);
    expect(db.pragma('journal_mode')).toBe('wal');
    expect(db.pragma('synchronous')).toBe(1); // NORMAL
    expect(openAt(dir.file('full.sqlite'), [], 'full').pragma('synchronous')).toBe(2); // FULL
  });

  it('applies each migration once, however often the file is opened, and later ones when added', () => {
    const path = dir.file('app.sqlite');
    openAt(path, [notes, seeded]).close();
    openAt(path, [notes, seeded]).close();
    const db = openAt(path, [
      notes,
      seeded,
      { id: 'test-003-more', sql: "INSERT INTO notes (text) VALUES ('more')" },
    ]);

    expect(texts(db)).toEqual(['seed', 'more']);
    const applied = db
      .prepare<[], { id: string }>('SELECT id FROM schema_migrations ORDER BY id')
      .all()
      .map((row) => row.id);
    expect(applied).toEqual(['test-001-notes', 'test-002-seed', 'test-003-more']);
  });

  it('applies a failing migration not at all, and says which file', () => {
    const path = dir.file('app.sqlite');
    const broken: Migration = {
      id: 'test-002-broken',
      sql: "INSERT INTO notes (text) VALUES ('half'); INSERT INTO nowhere VALUES (1);",
    };

    expect(() => openAt(path, [notes, broken])).toThrow(
      `Cannot bring the database ${path} up to date: no such table: nowhere`,
    );
    expect(texts(openAt(path, [notes]))).toEqual([]);
  });

  it('refuses a list that names one migration twice', () => {
    expect(() => openAt(dir.file('app.sqlite'), [notes, notes])).toThrow(/listed twice/);
  });

  it('says which path it cannot open', () => {
    const blocked = join(__filename, 'inside-a-file.sqlite');
    expect(() => openAt(blocked)).toThrow(`Cannot open the database ${blocked}`);
  });

  it('runs a transaction whole or not at all', () => {
    const db = openAt(dir.file('app.sqlite'));
    const insert = db.prepare<[string]>('INSERT INTO notes (text) VALUES (?)');
    const both = db.transaction((first: string, second: string) => {
      insert.run(first);
      if (second === 'fail') throw new Error('boom');
      insert.run(second);
    });

    both('a', 'b');
    expect(() => both('c', 'fail')).toThrow('boom');
    expect(texts(db)).toEqual(['a', 'b']);
  });

  it('keeps a committed transaction when the process is killed right after (kill -9)', () => {
    const path = dir.file('app.sqlite');
    openAt(path).close();
    // A separate Node process commits through SqliteDatabase, then SIGKILLs itself: no close, no
    // checkpoint, no exit handlers.
    const script = `
      const { SqliteDatabase } = require(${JSON.stringify(join(__dirname, 'sqlite-database.ts'))});
      const db = SqliteDatabase.open({ path: ${JSON.stringify(path)}, migrations: [] });
      db.transaction(() => db.prepare("INSERT INTO notes (text) VALUES ('committed')").run())();
      process.kill(process.pid, 'SIGKILL');
    `;
    let signal: string | undefined;
    try {
      execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
        stdio: 'pipe',
      });
    } catch (error) {
      signal = (error as { signal?: string }).signal;
    }

    expect(signal).toBe('SIGKILL');
    expect(texts(openAt(path))).toEqual(['committed']);
  });

  it('checkpoints from a worker thread, never inside a commit, unless told to leave it to SQLite', async () => {
    const path = dir.file('app.sqlite');
    const db = SqliteDatabase.open({ path, migrations: [notes], checkpointEveryMs: 10 });
    open.push(db);
    expect(db.pragma('wal_autocheckpoint')).toBe(0);
    const before = statSync(path).size;

    const insert = db.prepare<[string]>('INSERT INTO notes (text) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i += 1) insert.run(`note ${i} `.repeat(20));
    })();
    // Only a checkpoint writes pages into the database file itself.
    const deadline = Date.now() + 5000;
    while (statSync(path).size === before && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(statSync(path).size).toBeGreaterThan(before);

    expect(openAt(dir.file('default.sqlite')).pragma('wal_autocheckpoint')).toBe(0);
    const sqlite = SqliteDatabase.open({
      path: dir.file('sqlite.sqlite'),
      migrations: [],
      checkpointEveryMs: 0,
    });
    open.push(sqlite);
    expect(sqlite.pragma('wal_autocheckpoint')).toBe(1000);
  });
});
