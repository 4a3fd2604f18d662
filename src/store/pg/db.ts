/**
 * The store's parts (sqlite/*.ts) over PostgreSQL: the subset of better-sqlite3's API they use (SqlDb,
 * SqlStatement in sqlite/part.ts), over the synchronous connection (bridge.ts). Their SQL is written to
 * mean the same on both engines (the PostgreSQL schema adds what SQLite has built in: total(), two-argument
 * min() and max()); what differs only in spelling is translated here, once per statement:
 * - `?` and `@name` parameters become `$1, $2…`;
 * - camelCase column labels are quoted (PostgreSQL folds unquoted names to lower case);
 * - an INSERT into a table keyed by an `id` column returns it (better-sqlite3's lastInsertRowid).
 * Booleans come back as 1 and 0 (bridge.ts), as SQLite gives them.
 */
import { createRequire } from 'node:module';
import { PgError, advisoryLockStatements, type Statement, type SyncPg } from './bridge.js';
import type { SqlDb, SqlStatement, SqlTransaction } from '../sqlite/part.js';

/** Tables whose rows are keyed by a generated `id` (lastInsertRowid). */
const ID_TABLES = new Set(['feeds', 'fetch_log', 'items', 'topics', 'moments', 'stories', 'digests', 'notify_silences', 'feedback', 'accounts']);

export interface Translated {
  text: string;
  /** For each $n, the named parameter it stands for (`@name` statements), or null for positional ones. */
  names: string[] | null;
  /** How many `?` it had. */
  positional: number;
  returnsId: boolean;
}

/** Translates one statement from the parts' SQL to PostgreSQL's spelling (see the header). */
export function translate(sql: string): Translated {
  let out = '';
  let positional = 0;
  const names: string[] = [];
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === '?') {
      out += `$${++positional}`;
    } else if (ch === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const m = /^[A-Za-z_]\w*/.exec(sql.slice(i + 1))!;
      let n = names.indexOf(m[0]);
      if (n < 0) n = names.push(m[0]) - 1;
      out += `$${n + 1}`;
      i += m[0].length;
    } else {
      out += ch;
    }
  }
  if (positional > 0 && names.length > 0) throw new Error(`statement mixes ? and @name parameters: ${sql}`);
  out = out.replace(/\bAS\s+([a-z]\w*[A-Z]\w*)\b/g, 'AS "$1"');
  const insert = /^\s*INSERT\s+INTO\s+(\w+)/i.exec(out);
  const returnsId = insert !== null && ID_TABLES.has(insert[1]!.toLowerCase()) && !/\bRETURNING\b/i.test(out);
  if (returnsId) out += ' RETURNING id';
  return { text: out, names: names.length > 0 ? names : null, positional, returnsId };
}

/** A statement's parameters for node-postgres: named ones in $n order, booleans as 1/0, undefined as null. */
function paramsOf(t: Translated, args: unknown[]): unknown[] {
  let values: unknown[];
  if (t.names) {
    const obj = (args[0] ?? {}) as Record<string, unknown>;
    values = t.names.map((n) => {
      if (!(n in obj)) throw new RangeError(`missing named parameter "${n}"`);
      return obj[n];
    });
  } else {
    // better-sqlite3 takes the parameters as one array too; an array for a statement with one parameter is
    // that parameter's value (= ANY(?))
    values = args.length === 1 && Array.isArray(args[0]) && t.positional !== 1 ? (args[0] as unknown[]) : args;
  }
  return values.map((v) => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'bigint' ? String(v) : v));
}

class PgStatement implements SqlStatement {
  private mode: 'rows' | 'pluck' | 'raw' = 'rows';
  private readonly t: Translated;

  constructor(
    private readonly db: PgDb,
    private readonly name: string,
    sql: string,
  ) {
    this.t = translate(sql);
  }

  private exec(args: unknown[]): { rows: unknown[]; rowCount: number } {
    const s: Statement & { name?: string; rowMode?: 'array' } = { sql: this.t.text, params: paramsOf(this.t, args), name: this.name };
    if (this.mode !== 'rows') s.rowMode = 'array';
    return this.db.run(s);
  }

  private shape(row: unknown): unknown {
    if (row === undefined) return undefined;
    return this.mode === 'pluck' ? (row as unknown[])[0] : row;
  }

  run(...args: unknown[]): { changes: number; lastInsertRowid: number } {
    const r = this.exec(args);
    let id = 0;
    if (this.t.returnsId && r.rows.length > 0) {
      const last = r.rows[r.rows.length - 1]!;
      id = Number(this.mode === 'rows' ? (last as { id: number }).id : (last as unknown[])[(last as unknown[]).length - 1]);
    }
    return { changes: r.rowCount, lastInsertRowid: id };
  }

  get(...args: unknown[]): unknown {
    return this.shape(this.exec(args).rows[0]);
  }

  all(...args: unknown[]): unknown[] {
    return this.exec(args).rows.map((r) => this.shape(r));
  }

  pluck(toggle = true): this {
    this.mode = toggle ? 'pluck' : this.mode === 'pluck' ? 'rows' : this.mode;
    return this;
  }

  raw(toggle = true): this {
    this.mode = toggle ? 'raw' : this.mode === 'raw' ? 'rows' : this.mode;
    return this;
  }
}

let pgUtils: { prepareValue(v: unknown): unknown; escapeLiteral(s: string): string } | undefined;

/** A value as a literal in SQL text, as node-postgres would send it as a parameter (text), or null when it cannot be. */
function literal(v: unknown): string | null {
  if (v === null || v === undefined) return 'NULL';
  pgUtils ??= createRequire(import.meta.url)('pg/lib/utils') as typeof pgUtils;
  const text = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || Array.isArray(v) ? pgUtils!.prepareValue(v) : null;
  // (an untyped literal takes its type from where it stands, as a parameter does)
  return typeof text === 'string' && !text.includes('\0') ? pgUtils!.escapeLiteral(text) : null;
}

/** A statement with its parameters written into its text, or null when one cannot be. */
function inline(s: Statement): string | null {
  const params = s.params ?? [];
  let ok = true;
  // $n outside quotes and comments
  const text = s.sql.replace(/'(?:[^']|'')*'|"[^"]*"|--[^\n]*|\$(\d+)/g, (m, n: string | undefined) => {
    if (n === undefined) return m;
    const lit = literal(params[Number(n) - 1]);
    if (lit === null) ok = false;
    return lit ?? m;
  });
  return ok ? text : null;
}

/**
 * Statements whose answers nobody needs, as few as can be: runs of them that can be written as text go as one
 * text of several statements (one round trip to the server for all, where node-postgres waits for each
 * statement's answer before it sends the next).
 */
function oneText(statements: Statement[]): Statement[] {
  if (statements.length <= 1) return statements;
  const out: Statement[] = [];
  let run: string[] = [];
  const end = (): void => {
    if (run.length > 0) out.push({ sql: run.join(';\n') });
    run = [];
  };
  for (const s of statements) {
    const text = inline(s);
    if (text === null) {
      end();
      out.push(s);
    } else run.push(text);
  }
  end();
  return out;
}

/** The advisory lock writing transactions take (any number; this one spells "mswriter"). */
export const WRITER_LOCK = String(0x6d7377726974657an);

/** The names statements are prepared under, per connection (one name per text). */
const statementNames = new WeakMap<SyncPg, Map<string, string>>();

/** The PostgreSQL connection as the parts see it (better-sqlite3's shape). */
export class PgDb implements SqlDb {
  private depth = 0;
  /** The transaction was rolled back by an error: nothing more runs in it. */
  private aborted = false;
  /**
   * Statements of the transaction in flight whose answers nobody waits for (BEGIN, the writer lock, SAVEPOINT,
   * RELEASE, writes deferred by defer()): sent in order in front of the next request, so that they cost no
   * round trip of their own between this thread and the connection's. An error in one of them surfaces there
   * (and rolls the transaction back, as any error does).
   */
  private pending: Statement[] = [];
  /** Requests sent so far: tells a transaction whether anything of its own reached the server yet. */
  private sent = 0;
  /** `sent` when exec('BEGIN IMMEDIATE') opened the transaction in flight; null when none was so opened. */
  private opened: number | null = null;
  /** The parts' statements translated, by their text. */
  private readonly translated = new Map<string, Translated>();

  constructor(
    readonly pg: SyncPg,
    readonly readonly: boolean,
  ) {}

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  prepare(sql: string): SqlStatement {
    return new PgStatement(this, this.nameOf(sql), sql);
  }

  exec(sql: string): void {
    // SQLite's writing transaction held over turns of the event loop (the story replay heard between its
    // batches: sqlite/stories.ts replayHeard), as transaction(fn).immediate() holds one over fn
    if (/^\s*BEGIN\s+IMMEDIATE\s*$/i.test(sql) && this.depth === 0) {
      this.pending.push(...advisoryLockStatements(WRITER_LOCK));
      this.depth++;
      this.opened = this.sent;
      return;
    }
    if (/^\s*(COMMIT|ROLLBACK)\s*$/i.test(sql) && this.depth === 1 && this.opened !== null) {
      const reached = this.sent !== this.opened;
      this.depth--;
      this.opened = null;
      const aborted = this.aborted;
      this.aborted = false;
      if (/^\s*ROLLBACK/i.test(sql) || aborted) {
        this.pending = [];
        // (nothing of it reached the server: forgetting its statements is rolling it back)
        if (reached && !aborted) this.pg.query('ROLLBACK');
        if (aborted && !/^\s*ROLLBACK/i.test(sql)) throw new PgError('the transaction was rolled back after an error', 'ABORTED', true, false);
        return;
      }
      try {
        this.runAll([{ sql: 'COMMIT' }]);
      } finally {
        this.pending = [];
      }
      return;
    }
    this.run({ sql });
  }

  /**
   * What the parts ask SQLite's pragmas: foreign keys are never switched off here; the data version is a
   * sequence bumped by every write to the quarter-hour counts, by any connection (never rolled back).
   */
  pragma(source: string): unknown {
    if (/^\s*foreign_keys\s*$/i.test(source)) return 0;
    // (0 until the first write; and for a role that may not read the sequence, which writes nothing either)
    if (/^\s*data_version\s*$/i.test(source)) {
      const sql = "SELECT CASE WHEN has_sequence_privilege('momentscan_data_version', 'SELECT,USAGE') THEN coalesce(pg_sequence_last_value('momentscan_data_version'), 0) ELSE 0 END";
      return Number(this.run({ sql, rowMode: 'array' }).rows.map((r) => (r as unknown[])[0])[0]);
    }
    throw new Error(`no PostgreSQL equivalent for PRAGMA ${source}`);
  }

  /** One statement, in the transaction in flight if there is one. */
  run(s: Statement & { name?: string; rowMode?: 'array' }): { rows: unknown[]; rowCount: number } {
    return this.runAll([s])[0]!;
  }

  /**
   * Statements in one request (after the deferred ones), in order, in the transaction in flight if there is
   * one: their answers.
   */
  runAll(statements: Statement[]): { rows: unknown[]; rowCount: number }[] {
    if (this.aborted) throw new PgError('the transaction was rolled back after an error', 'ABORTED', true, false);
    const ahead = oneText(this.pending);
    this.pending = [];
    this.sent++;
    try {
      return this.pg.batch([...ahead, ...statements]).slice(ahead.length);
    } catch (err) {
      if (this.depth > 0 && err instanceof PgError && err.rolledBack) this.aborted = true;
      throw err;
    }
  }

  /**
   * Writes of the transaction in flight whose answers are not needed: sent in front of its next request (or
   * its COMMIT), in order, so that they cost no round trip of their own. Outside a transaction, sent now.
   */
  defer(statements: Statement[]): void {
    if (this.depth === 0) {
      this.runAll(statements);
      return;
    }
    if (this.aborted) throw new PgError('the transaction was rolled back after an error', 'ABORTED', true, false);
    this.pending.push(...statements);
  }

  /** A write of the parts' whose answer is not needed: with the transaction's next request (defer). */
  later(sql: string, args: unknown[]): void {
    this.defer([this.bind(sql, ...args)]);
  }

  /** One of the parts' statements (their SQL, `?` or `@name` parameters) with its values, ready for runAll or defer. */
  bind(sql: string, ...args: unknown[]): Statement {
    let t = this.translated.get(sql);
    if (!t) this.translated.set(sql, (t = translate(sql)));
    return { sql: t.text, params: paramsOf(t, args), name: this.nameOf(sql) };
  }

  /** A statement in PostgreSQL's own SQL ($1, $2… parameters, given as they are), ready for runAll or defer. */
  statement(sql: string, params: readonly unknown[]): Statement {
    return { sql, params, name: this.nameOf(sql) };
  }

  private nameOf(sql: string): string {
    // a name per text: node-postgres prepares it on the server once per connection
    let names = statementNames.get(this.pg);
    if (!names) statementNames.set(this.pg, (names = new Map()));
    let name = names.get(sql);
    if (!name) names.set(sql, (name = `ms${names.size + 1}`));
    return name;
  }

  /**
   * better-sqlite3's transaction functions: the outermost opens a transaction (all-or-nothing), nested
   * ones a savepoint. A statement's error inside one rolls the whole transaction back (bridge.ts).
   */
  transaction<T>(fn: () => T): SqlTransaction<T> {
    const go = (): T => this.inTx(fn, false);
    return Object.assign(go, { immediate: () => this.inTx(fn, true), deferred: go });
  }

  /**
   * transaction(fn).immediate(), unless another process holds the writer lock at this moment: then null, at
   * once (the caller tries again later rather than block this thread); with `waitMs`, once it has waited that
   * long for the lock (the thread is blocked that long at most: a Ctrl-C is heard between two tries).
   */
  tryImmediate<T>(fn: () => T, waitMs = 0): { value: T } | null {
    if (this.depth > 0) return { value: this.inTx(fn, true) };
    if (waitMs > 0) {
      try {
        this.runAll([
          { sql: 'BEGIN' },
          { sql: `SET LOCAL lock_timeout = ${Math.max(1, Math.round(waitMs))}` },
          { sql: 'SELECT pg_advisory_xact_lock($1)', params: [WRITER_LOCK] },
          { sql: 'SET LOCAL lock_timeout TO DEFAULT' },
        ]);
      } catch (err) {
        if (!(err instanceof PgError && err.code === '55P03')) throw err;
        try {
          this.runAll([{ sql: 'ROLLBACK' }]);
        } catch {
          // rolled back already
        }
        return null;
      }
      return { value: this.inTx(fn, 'begun') };
    }
    const [, lock] = this.runAll([{ sql: 'BEGIN' }, { sql: 'SELECT pg_try_advisory_xact_lock($1) AS got', params: [WRITER_LOCK] }]);
    if ((lock!.rows[0] as { got: number }).got !== 1) {
      this.runAll([{ sql: 'ROLLBACK' }]);
      return null;
    }
    return { value: this.inTx(fn, 'begun') };
  }

  private inTx<T>(fn: () => T, writer: boolean | 'begun'): T {
    const outer = this.depth === 0;
    const savepoint = `sp${this.depth}`;
    // BEGIN (or SAVEPOINT) goes with the transaction's first request; what was pending before it stays ahead
    // (begun: BEGIN and the lock were sent already)
    const before = { sent: writer === 'begun' ? -1 : this.sent, pending: this.pending.length };
    if (writer === 'begun') {
      // nothing more to send
    } else if (outer && writer) {
      // SQLite's BEGIN IMMEDIATE: one writing transaction at a time, across every process on every host
      // (the parts' check-then-write logic, the story replay and the outbox rely on it, as on SQLite)
      this.pending.push(...advisoryLockStatements(WRITER_LOCK));
    } else {
      this.pending.push({ sql: outer ? 'BEGIN' : `SAVEPOINT ${savepoint}` });
    }
    this.depth++;
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.depth--;
      if (this.sent === before.sent) {
        // nothing of it reached the server: forgetting its statements is rolling it back
        this.pending.length = before.pending;
      } else {
        // what is pending was queued inside it (since its last request)
        this.pending = [];
        if (!this.aborted) {
          try {
            this.pg.query(outer ? 'ROLLBACK' : `ROLLBACK TO SAVEPOINT ${savepoint}`);
          } catch {
            // the connection is gone: the server rolls it back
          }
        }
      }
      if (outer) this.aborted = false;
      throw err;
    }
    this.depth--;
    if (this.aborted) {
      this.pending = [];
      if (outer) this.aborted = false;
      throw new PgError('the transaction was rolled back after an error', 'ABORTED', true, false);
    }
    if (outer) {
      try {
        this.runAll([{ sql: 'COMMIT' }]);
      } finally {
        this.pending = [];
        this.aborted = false;
      }
    } else this.pending.push({ sql: `RELEASE SAVEPOINT ${savepoint}` });
    return result;
  }
}
