/**
 * The SQLite connection the store's parts share: one better-sqlite3 handle, its prepared statements, and
 * the guard that turns SQLite's errors into one-line StoreErrors naming the file.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../../core/errors.js';
import { wrapSqliteError, type DB } from '../db.js';

export class Connection {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: DB,
    readonly file: string,
  ) {}

  /** Prepared once per connection: preparing costs more than running a small statement. */
  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Runs `fn`, turning SQLite errors into one-line StoreErrors naming the file. */
  guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if (err && typeof err === 'object' && 'code' in err && String((err as { code: unknown }).code).startsWith('SQLITE')) {
        throw wrapSqliteError(err, this.file);
      }
      throw err;
    }
  }
}

/** One concern's statements over the shared connection (every method is one statement or one immediate transaction). */
export abstract class SqlitePart {
  constructor(protected readonly conn: Connection) {}

  protected get db(): DB {
    return this.conn.db;
  }

  protected stmt(sql: string): Database.Statement {
    return this.conn.stmt(sql);
  }

  protected guard<T>(fn: () => T): T {
    return this.conn.guard(fn);
  }
}
