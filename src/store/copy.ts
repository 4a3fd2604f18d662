/**
 * `momentscan db migrate`: a user's history copied from a SQLite file into a PostgreSQL database (feeds,
 * fetch log, items, topics and matches, stories, moments, digests, quarter-hour counts, notifications,
 * verdicts), ids kept, in one transaction, and the row count of every table checked on both sides before
 * it commits. Detection caches (weekly counts, engine states) are not copied: they are rebuilt when read;
 * feed_topics is made on the other side from the copied matches, by item_topics' trigger.
 * The target must hold no momentscan data yet; the source is only read.
 */
import { InterruptedError, StoreError } from '../core/errors.js';
import type { SqliteStore } from './store.js';
import { advisoryLockStatements } from './pg/bridge.js';
import { WRITER_LOCK } from './pg/db.js';
import type { PgStore } from './pg/store.js';

/** In the order foreign keys need them. */
export const COPIED_TABLES = [
  'feeds',
  'fetch_log',
  'stories',
  'items',
  'topics',
  'item_topics',
  'story_topics',
  'story_state',
  'moments',
  'digests',
  'topic_quarters',
  'notify_outbox',
  'notify_silences',
  'notify_gone',
  'feedback',
  'events',
  'accounts',
  'account_contacts',
  'item_accounts',
  'account_state',
] as const;

/** Tables whose ids a sequence hands out: set past the copied ones. */
const IDENTITY_TABLES = ['feeds', 'fetch_log', 'stories', 'items', 'topics', 'moments', 'digests', 'notify_silences', 'feedback', 'events', 'accounts', 'account_contacts'];

export interface CopyReport {
  tables: { table: string; rows: number }[];
}

/**
 * Copies every table; throws StoreError (nothing written) when the target has data or a count differs, and
 * InterruptedError (nothing written either) when `signal` is aborted (Ctrl-C): it is looked at between two
 * batches of rows, so that the copy stops soon.
 */
export async function copySqliteToPg(from: SqliteStore, to: PgStore, onTable?: (table: string, rows: number) => void, signal?: AbortSignal): Promise<CopyReport> {
  const src = from.db;
  const pg = to.pg;
  const report: CopyReport = { tables: [] };
  // (the event loop turns between batches: a signal's listener runs there)
  const checkpoint = checkpointOf(to.file, signal);
  // no other writer meanwhile (writing transactions take this lock); the source is read in one read
  // transaction, so a fetch writing to it meanwhile (WAL) is not seen half-way and every count holds
  src.exec('BEGIN');
  try {
    pg.batch(advisoryLockStatements(WRITER_LOCK));
    try {
      await copyTables(src, to, report, checkpoint, onTable);
    } catch (err) {
      try {
        pg.query('ROLLBACK');
      } catch {
        // rolled back already (an error does that here), or the connection is gone
      }
      throw err;
    }
    pg.query('COMMIT');
  } finally {
    src.exec('ROLLBACK');
  }
  return report;
}

async function copyTables(src: SqliteStore['db'], to: PgStore, report: CopyReport, checkpoint: () => Promise<void>, onTable?: (table: string, rows: number) => void): Promise<void> {
  const pg = to.pg;
  {
    // any table (a silence or an event added before the move holds ids the copy would take); story_state is
    // the one row every new database starts with
    const held = pg.query<Record<string, number>>(`SELECT ${COPIED_TABLES.filter((t) => t !== 'story_state').map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`).rows[0]!;
    const has = Object.entries(held).filter(([, n]) => n > 0);
    // topics alone are the config's topics, which any command (the status that checks the connection) writes
    // when it first opens the database: nothing refers to them yet, and the history's own take their place
    if (has.length === 1 && has[0]![0] === 'topics') {
      pg.query('DELETE FROM topics');
      has.length = 0;
    }
    if (has.length > 0) {
      throw new StoreError(`${to.file}: already holds momentscan data (${has.slice(0, 3).map(([t, n]) => `${t}: ${n} ${n === 1 ? 'row' : 'rows'}`).join(', ')}${has.length > 3 ? `, and ${has.length - 3} more ${has.length === 4 ? 'table' : 'tables'}` : ''})`, {
        hint: 'migrate into a new, empty database (createdb momentscan), so that nothing is mixed or overwritten',
      });
    }
    pg.query('DELETE FROM story_state');
    for (const table of COPIED_TABLES) {
      const srcCols = (src.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter((c) => c !== 'rowid');
      const dstCols = new Set(
        pg.query<{ c: string }>("SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' AND identity_generation IS DISTINCT FROM 'ALWAYS'", [table]).rows.map((r) => r.c),
      );
      const cols = srcCols.filter((c) => dstCols.has(c));
      const order = src.prepare(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = 'id'`).get() ? ' ORDER BY id' : table === 'notify_outbox' ? ' ORDER BY rowid' : '';
      const per = Math.max(1, Math.floor(30_000 / cols.length));
      let rows = 0;
      let batch: unknown[][] = [];
      const flush = () => {
        if (batch.length === 0) return;
        const values = batch.map((_, r) => `(${cols.map((__, c) => `$${r * cols.length + c + 1}`).join(', ')})`).join(', ');
        pg.query(`INSERT INTO ${table} (${cols.join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${values}`, batch.flat());
        rows += batch.length;
        batch = [];
      };
      for (const row of src.prepare(`SELECT ${cols.join(', ')} FROM ${table}${order}`).raw().iterate() as IterableIterator<unknown[]>) {
        batch.push(row);
        if (batch.length >= per) {
          flush();
          await checkpoint();
        }
      }
      flush();
      await checkpoint();
      const want = src.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      const got = pg.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).rows[0]!.n;
      if (got !== want || rows !== want) {
        throw new StoreError(`${to.file}: ${table}: ${got} rows copied of ${want}`, { hint: 'nothing was written; report this as a bug' });
      }
      report.tables.push({ table, rows: want });
      onTable?.(table, want);
    }
    for (const table of IDENTITY_TABLES) {
      pg.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT max(id) FROM ${table}), 1), (SELECT max(id) FROM ${table}) IS NOT NULL)`);
    }
    // the weekly caches and engine states are rebuilt when read; a full-text index is kept by PostgreSQL
  }
}

/**
 * Between two batches: the event loop turns (a signal's listener runs there), and a signal stops the copy
 * (Ctrl-C; SIGTERM or SIGHUP, the abort's reason, named in the line and in the exit status).
 */
function checkpointOf(target: string, signal: AbortSignal | undefined): () => Promise<void> {
  return async () => {
    await new Promise((resolve) => setImmediate(resolve));
    if (!signal?.aborted) return;
    const by = typeof signal.reason === 'string' && signal.reason.startsWith('SIG') ? (signal.reason as NodeJS.Signals) : undefined;
    throw new InterruptedError(`interrupted${by && by !== 'SIGINT' ? ` by ${by}` : ''}: db migrate stopped before it committed: nothing was written to ${target}`, {
      hint: 'run it again to copy the history',
      signal: by,
    });
  };
}

/** The target's tables that hold rows (story_state's one row aside), as 'table: n rows'; none when it is empty. */
function heldRows(count: (table: string) => number): string[] {
  return COPIED_TABLES.filter((t) => t !== 'story_state')
    .map((t) => [t, count(t)] as const)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t}: ${n} ${n === 1 ? 'row' : 'rows'}`);
}

/**
 * The way back: a history copied from PostgreSQL into a new SQLite file (leaving the server, a backup, a
 * copy for an analyst's laptop), with the same guarantees: every table, ids kept, in one transaction on
 * each side (the source read as one snapshot, a page at a time), every count compared before it commits,
 * a target holding data refused, and a Ctrl-C between two pages rolls it all back.
 */
export async function copyPgToSqlite(from: PgStore, to: SqliteStore, onTable?: (table: string, rows: number) => void, signal?: AbortSignal): Promise<CopyReport> {
  const pg = from.pg;
  const dst = to.db;
  const report: CopyReport = { tables: [] };
  const checkpoint = checkpointOf(to.file, signal);
  const held = heldRows((t) => dst.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number);
  if (held.length > 0) {
    throw new StoreError(`${to.file}: already holds momentscan data (${held.slice(0, 3).join(', ')}${held.length > 3 ? `, and ${held.length - 3} more` : ''})`, {
      hint: 'migrate into a new file (a path where none is yet), so that nothing is mixed or overwritten',
    });
  }
  // one snapshot of the source: what workers commit meanwhile is not seen half-way, and every count holds
  pg.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    dst.exec('BEGIN IMMEDIATE');
    try {
      dst.exec('DELETE FROM story_state');
      for (const table of COPIED_TABLES) {
        const srcCols = new Set(
          pg.query<{ c: string }>("SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' AND identity_generation IS DISTINCT FROM 'ALWAYS'", [table]).rows.map((r) => r.c),
        );
        const cols = (dst.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[]).filter((c) => srcCols.has(c));
        const allCols = new Set(pg.query<{ c: string }>('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table]).rows.map((r) => r.c));
        const order = srcCols.has('id') ? ' ORDER BY id' : allCols.has('rowid') ? ' ORDER BY rowid' : '';
        const insert = dst.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
        pg.query(`DECLARE momentscan_copy NO SCROLL CURSOR FOR SELECT ${cols.join(', ')} FROM ${table}${order}`);
        let rows = 0;
        for (;;) {
          const page = pg.query<Record<string, unknown>>('FETCH 5000 FROM momentscan_copy').rows;
          for (const row of page) insert.run(cols.map((c) => row[c] ?? null));
          rows += page.length;
          await checkpoint();
          if (page.length < 5000) break;
        }
        pg.query('CLOSE momentscan_copy');
        const want = (pg.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`).rows[0]!).n;
        const got = dst.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
        if (got !== want || rows !== want) {
          throw new StoreError(`${to.file}: ${table}: ${got} rows copied of ${want}`, { hint: 'nothing was written; report this as a bug' });
        }
        report.tables.push({ table, rows: want });
        onTable?.(table, want);
      }
      dst.exec('COMMIT');
    } catch (err) {
      if (dst.inTransaction) dst.exec('ROLLBACK');
      throw err;
    }
  } finally {
    try {
      pg.query('ROLLBACK');
    } catch {
      // the connection is gone: the server ended the read transaction
    }
  }
  return report;
}
