/**
 * The connection the store's parts share, and what they need of it: the subset of better-sqlite3's API
 * they use (SqlDb, SqlStatement), which a better-sqlite3 handle is, and which the PostgreSQL backend
 * provides over its connection (pg/db.ts). The parts' SQL is written to mean the same on both engines.
 * The guard turns the engine's errors into one-line StoreErrors naming the database.
 */
import { StoreError } from '../../core/errors.js';
import { wrapSqliteError } from '../db.js';

/** A prepared statement, as better-sqlite3 has it. */
export interface SqlStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  /** From now on, the first column of each row. */
  pluck(toggle?: boolean): this;
  /** From now on, each row as an array of its columns. */
  raw(toggle?: boolean): this;
}

/** A transaction function, as better-sqlite3 has it: run plain, or opened IMMEDIATE / DEFERRED. */
export interface SqlTransaction<T> {
  (): T;
  immediate(): T;
  deferred(): T;
}

/** The connection, as better-sqlite3 has it. */
export interface SqlDb {
  readonly readonly: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): SqlStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<T>(fn: () => T): SqlTransaction<T>;
  /**
   * Runs a write whose answer nobody needs later, in order with the connection's other statements (before
   * the next one whose answer is needed): PostgreSQL's sends it with that one, to save a round trip.
   */
  later?(sql: string, args: unknown[]): void;
}

/** Turns an engine's error into a StoreError naming the database, or returns null when it is not one. */
export type ErrorMapper = (err: unknown, file: string) => StoreError | null;

/** SQLite's errors (better-sqlite3 codes them SQLITE_…). */
export const sqliteErrors: ErrorMapper = (err, file) =>
  err && typeof err === 'object' && 'code' in err && String((err as { code: unknown }).code).startsWith('SQLITE') ? wrapSqliteError(err, file) : null;

export class Connection {
  private readonly statements = new Map<string, SqlStatement>();
  /**
   * Set while Store.together() runs: the saves in it may do without a savepoint each, since a save that
   * fails marks the batch (`failed`) and together() then rolls all of it back, even if its caller caught
   * the error. (Each savepoint copied every page its save touched to the statement journal: a fifth
   * of the save's CPU.)
   */
  batch: { failed: { err: unknown } | null } | null = null;

  /** Runs one save; should it fail within Store.together(), the whole batch fails with it (and the saves after it). */
  failsBatch<T>(fn: () => T): T {
    if (this.batch?.failed) throw this.batch.failed.err;
    try {
      return fn();
    } catch (err) {
      if (this.batch) this.batch.failed ??= { err };
      throw err;
    }
  }

  constructor(
    readonly db: SqlDb,
    /** Where the database is, for messages: a file path, or a URL without its password. */
    readonly file: string,
    private readonly mapError: ErrorMapper = sqliteErrors,
  ) {}

  /** Prepared once per connection: preparing costs more than running a small statement. */
  stmt(sql: string): SqlStatement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** A write whose answer is not needed: now, or with the next statement that needs one (SqlDb.later). */
  later(sql: string, ...args: unknown[]): void {
    if (this.db.later) this.db.later(sql, args);
    else this.stmt(sql).run(...args);
  }

  /** Runs `fn`, turning the engine's errors into one-line StoreErrors naming the database. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw this.mapError(err, this.file) ?? err;
    }
  }
}

/** One concern's statements over the shared connection (every method is one statement or one immediate transaction). */
export abstract class SqlitePart {
  constructor(protected readonly conn: Connection) {}

  protected get db(): SqlDb {
    return this.conn.db;
  }

  protected stmt(sql: string): SqlStatement {
    return this.conn.stmt(sql);
  }

  protected guard<T>(fn: () => T): T {
    return this.conn.guard(fn);
  }

  /** A write whose answer is not needed (Connection.later). */
  protected later(sql: string, ...args: unknown[]): void {
    this.conn.later(sql, ...args);
  }
}
