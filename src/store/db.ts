import { accessSync, closeSync, constants as fs, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { StoreError } from '../core/errors.js';
import { makeDirs } from '../core/paths.js';
import { MIGRATIONS } from './migrations.js';

export type DB = Database.Database;

// URI file names (`file:…?immutable=1`), for reading a database whose folder this user cannot write
// (openReadonly). better-sqlite3 reads this when it loads its addon, at the first connection. Plain paths
// are never taken for URIs: sqlitePath() gives one that starts with `file:` a `./`.
process.env.SQLITE_USE_URI ??= '1';

/**
 * better-sqlite3's options with its addon named (`nativeBinding`) when it is where the `bindings` package
 * would find it first: `bindings` finds it by asking V8 for its caller's file from a stack trace, then
 * `require`s each place it may be until one loads (two failures, each an error with its stack, before
 * build/Release): ~7 ms of CPU of every command that opens the database. Elsewhere (another build layout)
 * `bindings` looks as before.
 */
function sqliteOptions(options: Database.Options = {}): Database.Options {
  addon ??= releaseAddon() ?? '';
  return addon === '' ? options : { ...options, nativeBinding: addon };
}
let addon: string | null = null;

/** build/Release's addon, when `bindings` would take it: the places it tries before (build/, build/Debug/) hold none. */
function releaseAddon(): string | null {
  try {
    const build = fileURLToPath(new URL('../build/', import.meta.resolve('better-sqlite3')));
    const name = 'better_sqlite3.node';
    if (existsSync(path.join(build, name)) || existsSync(path.join(build, 'Debug', name))) return null;
    const release = path.join(build, 'Release', name);
    return existsSync(release) ? release : null;
  } catch {
    return null;
  }
}

/** The slot topic_quarters keeps counts by: a quarter of an hour. */
export const QUARTER_MS = 900_000;

/** The span topic_quarter_weeks caches the quarter-hour counts by (one blob per topic and week). */
export const COUNTS_WEEK_MS = 7 * 86_400_000;

/**
 * Recomputes the quarter-hour counts from the matches, rows for topic_quarters (for one topic with a
 * WHERE topic_id = ? on both). Slots are keyed by truncation, like every bucket. Migration 10 ran the
 * same query, frozen in its text (migrations.ts): this one may change.
 */
export const TOPIC_QUARTERS_SELECT = `
  SELECT topic_id, (published_at / ${QUARTER_MS}) * ${QUARTER_MS}, total(story_first), count(*),
         total(story_first AND sentiment IS NOT NULL),
         total(CASE WHEN story_first THEN sentiment END), total(CASE WHEN story_first THEN sentiment * sentiment END)
  FROM item_topics`;

export { MIGRATIONS };

export const SCHEMA_VERSION = MIGRATIONS.length;

/** A writable connection's page cache: it keeps the indexes' pages in memory across a run's many small transactions. */
export const PAGE_CACHE_BYTES = 64 * 1024 * 1024;

export interface OpenOptions {
  /** Open without creating or migrating (commands that only read). */
  readonly?: boolean;
  /**
   * Open for writing, or read-only when this user may not write the file or its folder (commands that
   * read, and write only caches or records: an analyst with read access to the cron user's database). A
   * file that is not there is not made: such a command reads an empty history, in memory.
   */
  readonlyIfDenied?: boolean;
  busyTimeoutMs?: number;
  /** Check every page before writing even when the file is large and was closed cleanly (`status`). */
  fullCheck?: boolean;
}

/**
 * Opens (creating if needed) the SQLite file: WAL, busy timeout, foreign keys, migrations.
 * A file that is not a momentscan database, is damaged, or has a newer schema is never written to.
 */
export function openDatabase(file: string, options: OpenOptions = {}): DB {
  // A command that only reads, on a file that is not there, reads an empty history held in memory: a
  // mistyped --db (`moments --db /tmp/tpyo.db`) left a new empty database at the typo's path
  if (options.readonlyIfDenied && !options.readonly && file !== ':memory:' && fileSize(file) === null) {
    return openDatabase(':memory:', { ...options, readonlyIfDenied: false });
  }
  if (options.readonlyIfDenied && !options.readonly) {
    try {
      return openDatabase(file, { ...options, readonlyIfDenied: false });
    } catch (err) {
      if (!(err instanceof StoreError && denied(err.cause)) || fileSize(file) === null) throw err;
      return openDatabase(file, { ...options, readonly: true, readonlyIfDenied: false });
    }
  }
  const exists = fileSize(file);
  if (exists === null && options.readonly) {
    throw new StoreError(`${file}: no database yet`, { hint: 'run momentscan fetch first, or point --db at your database' });
  }
  if (exists !== null && exists > 0) checkHeader(file);
  if (exists === null && file !== ':memory:') {
    try {
      // a history is private (the CRM's contacts, labels, recipients): a folder made for it is the user's
      // alone (0700, as XDG asks of the folders it makes)
      makeDirs(path.dirname(file), 0o700);
    } catch (err) {
      throw new StoreError(`${path.dirname(file)}: cannot create the database folder (${(err as NodeJS.ErrnoException).code})`, {
        hint: 'check the path and permissions, or choose another with --db',
      });
    }
    if (!options.readonly) createPrivate(file);
  }
  let db: DB;
  try {
    db = options.readonly ? openReadonly(file) : new Database(sqlitePath(file), sqliteOptions());
  } catch (err) {
    throw err instanceof StoreError ? err : wrapSqliteError(err, file);
  }
  try {
    // SQLite opens a file this user may not write read-only, without a word: say so before anything else
    if (!options.readonly && exists !== null && !mayWrite(file)) {
      throw Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' });
    }
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 15_000}`);
    // Whose file it is, before any pragma that writes (journal_mode = WAL rewrites the header): a foreign
    // file or one from a newer momentscan must keep every byte.
    // (the version and the tables read in one snapshot: another process creating this database commits its
    // schema at once, and seen between two reads — version 0, then tables — the file looked like someone else's)
    const { current, tables } = db.transaction(() => {
      const version = db.pragma('user_version', { simple: true }) as number;
      const count = version === 0 && exists !== null && exists > 0 ? (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n : 0;
      return { current: version, tables: count };
    }).deferred();
    if (current > SCHEMA_VERSION) {
      throw new StoreError(`${file}: database schema version ${current} is newer than this momentscan understands (${SCHEMA_VERSION})`, {
        hint: 'upgrade momentscan; the file was left untouched',
      });
    }
    if (current > 0) {
      const hasFeeds = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'feeds'").get();
      if (!hasFeeds) throw notOurs(file);
    } else if (tables > 0) {
      throw notOurs(file);
    }
    // A damaged file is never written to, wherever the damage is (a fetch touches only a few pages and
    // would carry on over it): quick_check reads every page and every index, about 2 s of CPU for a
    // million-item history of 737 MB in the page cache (2026-12-07; far longer from disk). Files up to
    // CHECK_ALWAYS_BYTES are checked on every writable open; larger ones when the last run did not
    // close cleanly (its write-ahead log is still there) and by `momentscan status` when the file changed
    // since its last clean check (check-record.ts) — a check on every open would cost a large file's cron
    // runs and `moments` seconds per GB each. (A file shorter than its header says is refused by SQLite itself,
    // at the first read: database disk image is malformed.)
    if (!options.readonly && exists !== null && exists > 0 && (options.fullCheck || exists <= CHECK_ALWAYS_BYTES || (fileSize(`${file}-wal`) ?? 0) > 0)) {
      checkIntegrity(db, file);
    }
    if (!options.readonly) {
      toWal(db);
      db.pragma('synchronous = NORMAL');
      // Checkpoint less often: each commit rewrites index pages into the WAL, and every checkpoint copies
      // them again; with 64 MB between checkpoints a page rewritten by many commits is copied once (a big
      // fetch saves about a tenth of its database time). The WAL is emptied when the last connection closes.
      db.pragma('wal_autocheckpoint = 16000');
      db.pragma(`cache_size = ${-PAGE_CACHE_BYTES / 1024}`);
    }
    db.pragma('foreign_keys = ON');
    if (current < SCHEMA_VERSION) {
      if (options.readonly) {
        throw new StoreError(`${file}: database needs an upgrade`, { hint: 'run momentscan fetch once to upgrade it' });
      }
      migrate(db, current);
    }
  } catch (err) {
    db.close();
    throw err instanceof StoreError ? err : wrapSqliteError(err, file);
  }
  return db;
}

/**
 * Applies the migrations from the database's version up to `to`, in one immediate transaction. `to` is
 * the current schema but for tests, which build a database as an older momentscan left it.
 */
export function migrate(db: DB, from: number, to = MIGRATIONS.length): void {
  const run = db.transaction(() => {
    // Re-read inside the write lock: another process may have migrated meanwhile.
    const now = db.pragma('user_version', { simple: true }) as number;
    for (let v = Math.max(from, now); v < Math.min(to, MIGRATIONS.length); v++) {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }
  });
  run.immediate();
}

/**
 * A read-only connection. A WAL database needs its shared-memory file (`-shm`) even to be read, and a
 * reader creates it when it is not there, which a user who may not write the folder cannot do. So:
 * - when `-shm` is there (a writer has the database open), or this user may write the file and its folder:
 *   an ordinary read-only connection, which takes part in WAL locking (it sees committed writes, never
 *   half of one);
 * - otherwise, when the write-ahead log is empty or gone (the last writer closed cleanly: everything is
 *   in the main file): the file opened `immutable=1`, with no locking and no -shm. Should a writer start
 *   meanwhile, it writes to its own new log, and the main file changes only at a checkpoint, which comes
 *   after 16,000 pages of writes or when the writer closes: a read command that overlaps one may see a
 *   page changed under it and stop with an error or read rows from either side of it (SQLite's own warning
 *   for immutable files), the price of reading without a lock;
 * - otherwise (a log holding writes, and no -shm: a writer was killed) there is no safe way to read it
 *   without writing: an error saying to let the owner's next fetch tidy it up.
 */
function openReadonly(file: string): DB {
  const logged = (fileSize(`${file}-wal`) ?? 0) > 0;
  if (fileSize(`${file}-shm`) !== null || (mayWrite(file) && mayWrite(path.dirname(file)))) {
    let db: DB | undefined;
    try {
      db = new Database(sqlitePath(file), sqliteOptions({ readonly: true, fileMustExist: true }));
      db.pragma('user_version'); // the first read is what needs -shm
      return db;
    } catch (err) {
      db?.close();
      if (denied(err) && !logged) {
        // no -shm, and it cannot be made: read the main file as it stands (below)
      } else if (denied(err)) {
        throw new StoreError(`${file}: cannot read the database (${err instanceof Error ? err.message : String(err)})`, {
          hint: 'check the file and folder permissions, or try again when the fetch writing it has finished',
          cause: err,
        });
      } else {
        throw wrapSqliteError(err, file);
      }
    }
  } else if (logged) {
    throw new StoreError(`${file}: cannot read the database: its write-ahead log holds changes and this user cannot create ${file}-shm`, {
      hint: 'try again when the fetch writing it has finished, or ask its owner to run momentscan fetch once',
    });
  }
  const uri = `file:${path.resolve(file).split('/').map(encodeURIComponent).join('/')}?immutable=1`;
  try {
    return new Database(uri, sqliteOptions({ readonly: true, fileMustExist: true }));
  } catch (err) {
    throw wrapSqliteError(err, file);
  }
}

/**
 * A new database file readable by its owner alone (0600, whatever the umask), made empty before SQLite
 * opens it (SQLite makes files 0644, and gives its -wal and -shm the main file's mode). A file that
 * appeared meanwhile (another process made it) is left as it is; a failure is SQLite's to report.
 */
function createPrivate(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
  } catch {
    // there already, or not ours to make: opening it says what is wrong
  }
}

/**
 * The write-ahead log, asked for on every writable open (a no-op once the file is in WAL mode). Two
 * processes opening a new file at once (cron overlapping an analyst's fetch) can both ask while each holds
 * the file's read lock: SQLite answers one of them SQLITE_BUSY at once, without its busy timeout, as waiting
 * would be a deadlock — and that fetch failed with 'database is busy' (about 1 in 20 such starts here). The
 * other one's switch takes a moment: try again, a little later each time (about 2.5 s in all).
 */
function toWal(db: DB): void {
  for (let tries = 0; ; tries++) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if (tries >= 30 || !String((err as { code?: string }).code ?? '').startsWith('SQLITE_BUSY')) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + tries * 5);
    }
  }
}

/** A path SQLite does not take for a URI. */
function sqlitePath(file: string): string {
  return file.startsWith('file:') ? `./${file}` : file;
}

function mayWrite(file: string): boolean {
  try {
    accessSync(file, fs.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** An SQLite error that says this user may not write the file or its folder. */
function denied(err: unknown): boolean {
  const code = String((err as { code?: unknown } | undefined)?.code ?? '');
  return code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN');
}

/** Files up to this size are checked for damage on every writable open (under 0.1 s: quick_check takes about 2 s of CPU for 737 MB). */
export const CHECK_ALWAYS_BYTES = 32 * 1024 * 1024;

function checkIntegrity(db: DB, file: string): void {
  const problems = db.pragma('quick_check(3)', { simple: false }) as { quick_check: string }[];
  const first = problems[0]?.quick_check ?? 'ok';
  if (first === 'ok') return;
  throw new StoreError(`${file}: database is damaged (${first.replace(/\s+/g, ' ').slice(0, 200)})`, {
    hint: 'it was left as it was; keep a copy of the file; sqlite3 FILE ".recover" can salvage its contents',
  });
}

function fileSize(file: string): number | null {
  try {
    const st = statSync(file);
    if (st.isDirectory()) {
      throw new StoreError(`${file}: is a folder, not a database file`, { hint: 'give a file path with --db' });
    }
    // a device or a pipe (--db /dev/null, --db /dev/stdout): SQLite read it as an empty database, said 'disk
    // I/O error — check the disk', and as root left /dev/null-journal behind
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a pipe' : st.isSocket() ? 'a socket' : 'a device';
      throw new StoreError(`${file}: is ${kind}, not a database file`, { hint: 'give the path of a database file with --db (a new path makes one)' });
    }
    return st.size;
  } catch (err) {
    if (err instanceof StoreError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreError(`${file}: cannot read the database (${(err as NodeJS.ErrnoException).code})`, { hint: 'check its permissions' });
  }
}

function checkHeader(file: string): void {
  const buf = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    readSync(fd, buf, 0, 16, 0);
  } catch (err) {
    throw new StoreError(`${file}: cannot read the database (${(err as NodeJS.ErrnoException).code})`, { hint: 'check its permissions' });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (buf.toString('latin1') !== 'SQLite format 3\0') throw notOurs(file);
}

function notOurs(file: string): StoreError {
  return new StoreError(`${file}: not a momentscan database`, {
    hint: 'the file was left untouched; point --db at a momentscan database or at a new path',
  });
}

/** Maps SQLite's error codes to one-line errors that say what to do. */
export function wrapSqliteError(err: unknown, file: string): StoreError {
  const code = (err as { code?: string }).code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  const native = nativeModuleError(err, code, msg);
  if (native) return native;
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY')) {
    // (not always a momentscan: a sqlite3 shell in a transaction, a DB browser with changes not yet written)
    return new StoreError(`${file}: database is busy: another program is writing to it`, {
      hint: 'try again when it is done: another momentscan, or a sqlite3 shell or DB browser holding a transaction open (write or revert its changes)',
      cause: err,
    });
  }
  if (code === 'SQLITE_NOTADB') return notOurs(file);
  if (code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    return new StoreError(`${file}: database is damaged (${msg})`, {
      hint: 'keep a copy of the file; sqlite3 FILE ".recover" can salvage its contents',
      cause: err,
    });
  }
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY')) {
    return new StoreError(`${file}: cannot open the database for writing (${msg})`, { hint: 'check the file and folder permissions', cause: err });
  }
  if (code === 'SQLITE_FULL') return new StoreError(`${file}: disk full`, { hint: 'free some space and run again', cause: err });
  // a write or read the system refused: a file size limit (ulimit -f: EFBIG), a failing disk, a vanished mount
  if (code.startsWith('SQLITE_IOERR')) {
    return new StoreError(`${file}: disk I/O error (${code})`, {
      hint: 'check the disk: full, failing, or a file size limit (ulimit -f)? What was saved before is intact: run again once that is fixed',
      cause: err,
    });
  }
  return new StoreError(`${file}: database error: ${msg}`, { cause: err });
}

/**
 * SQLite's native module (better-sqlite3, loaded by the first connection) that cannot be loaded: not the
 * database's fault. Never built, as its install script did not run (npm's --ignore-scripts or allow-scripts,
 * pnpm's approve-builds): the 'bindings' package's list of 13 paths tried; built for another Node.js
 * (Node.js changed since the install: NODE_MODULE_VERSION), or not loadable here (ERR_DLOPEN_FAILED).
 */
function nativeModuleError(err: unknown, code: string, msg: string): StoreError | undefined {
  const notBuilt = msg.startsWith('Could not locate the bindings file');
  if (!notBuilt && code !== 'ERR_DLOPEN_FAILED') return undefined;
  const what = notBuilt
    ? "was not built when momentscan was installed (its install script did not run: npm's --ignore-scripts or allow-scripts, pnpm's approve-builds)"
    : /NODE_MODULE_VERSION/.test(msg)
      ? `was built for another version of Node.js than this one (${process.version}): Node.js changed since momentscan was installed`
      : `cannot be loaded by this Node.js (${process.version}): ${msg.split('\n')[0]}`;
  const home = path.dirname(fileURLToPath(new URL('../../package.json', import.meta.url)));
  return new StoreError(`SQLite's native module (better-sqlite3) ${what}`, {
    hint: `build it for this Node.js: cd '${home}' && npm rebuild better-sqlite3 (or install momentscan again, letting better-sqlite3's install script run)`,
    cause: err,
  });
}
