/** `momentscan db migrate --from FILE --to postgres://…`: a SQLite history copied into PostgreSQL, counts checked (or back: --from a URL, --to a file). */
import { existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { StoreError, UsageError } from '../core/errors.js';
import { isPostgresUrl } from '../core/paths.js';
import { plural } from '../render/digest.js';
import type { CopyReport } from '../store/copy.js';
import type { PgTarget } from '../store/pg/url.js';
import { log, type GlobalOptions } from './context.js';

export interface MigrateOptions {
  from?: string;
  to?: string;
}

export async function migrate(g: GlobalOptions, o: MigrateOptions): Promise<number> {
  if (!o.from || !o.to) throw new UsageError('db migrate: give --from (a SQLite file) and --to (a postgres:// URL), or the other way round', { hint: 'e.g. momentscan db migrate --from ~/.local/share/momentscan/momentscan.db --to postgres://me@db/momentscan' });
  if (isPostgresUrl(o.from)) {
    if (isPostgresUrl(o.to)) throw new UsageError('db migrate: --from and --to are both postgres:// URLs: one of them is a SQLite file', { hint: 'to copy between two servers, use pg_dump and pg_restore' });
    return migrateBack(g, o.from, o.to);
  }
  if (!isPostgresUrl(o.to)) throw new UsageError(`db migrate: --to takes a postgres:// URL, not "${o.to}"`, { hint: 'e.g. --to postgres://me@db.example/momentscan (or --from a postgres:// URL and --to a new SQLite file)' });
  const file = path.resolve(o.from);
  if (!existsSync(file)) throw new StoreError(`${file}: no such database file`, { hint: 'check the path given to --from' });
  // SQLite would take an empty file for a new database: set a schema up in it, and copy nothing
  if (statSync(file).size === 0) throw new StoreError(`${file}: an empty file, not a momentscan database`, { hint: 'check the path given to --from; nothing was copied or written' });
  const [{ SqliteStore }, { PgStore }, { copySqliteToPg }] = await Promise.all([import('../store/store.js'), import('../store/pg/store.js'), import('../store/copy.js')]);
  // the source is only read, and brought to the current schema first when it is older (as fetch would)
  const from = SqliteStore.open(file, { readonlyIfDenied: true });
  try {
    const to = PgStore.open(o.to);
    try {
      await copying(g, to.file, to.target, (onTable, signal) => copySqliteToPg(from, to, onTable, signal));
    } finally {
      to.close();
    }
  } finally {
    from.close();
  }
  return 0;
}

/**
 * Runs a copy: each table's rows and the total said on stderr (not with --quiet), a PostgreSQL error said
 * as such, and Ctrl-C, SIGTERM and SIGHUP heard: the copy stops at its next batch and rolls back, and says so
 * (the process ended in silence: exit 130, 143, 129).
 */
async function copying(
  g: GlobalOptions,
  target: string,
  pgTarget: PgTarget,
  copy: (onTable: (table: string, rows: number) => void, signal: AbortSignal) => Promise<CopyReport>,
): Promise<void> {
  const [{ pgStoreError }, { PgError }] = await Promise.all([import('../store/pg/connect.js'), import('../store/pg/bridge.js')]);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => stop.abort(signal);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    const report = await copy((table, rows) => {
      if (!g.quiet) log(`momentscan: db migrate: ${table}: ${plural(rows, 'row')}`);
    }, stop.signal);
    const total = report.tables.reduce((n, t) => n + t.rows, 0);
    if (!g.quiet) log(`momentscan: db migrate: ${plural(total, 'row')} in ${report.tables.length} tables copied to ${target}; counts checked on both sides`);
  } catch (err) {
    throw err instanceof PgError ? pgStoreError(err, pgTarget) : err;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

/** PostgreSQL into a new SQLite file: the way back (see copyPgToSqlite). */
async function migrateBack(g: GlobalOptions, url: string, to: string): Promise<number> {
  const file = path.resolve(to);
  const [{ SqliteStore }, { PgStore }, { copyPgToSqlite }] = await Promise.all([import('../store/store.js'), import('../store/pg/store.js'), import('../store/copy.js')]);
  // the source is only read (a role that may only read will do)
  const from = PgStore.open(url, { readonlyIfDenied: true });
  try {
    const made = !existsSync(file);
    const target = SqliteStore.open(file);
    let done = false;
    try {
      await copying(g, target.file, from.target, (onTable, signal) => copyPgToSqlite(from, target, onTable, signal));
      done = true;
    } finally {
      target.close();
      // a file this run made and did not fill is not left behind
      if (!done && made) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    }
  } finally {
    from.close();
  }
  return 0;
}
