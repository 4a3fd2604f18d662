/**
 * The PostgreSQL store: the same parts as the SQLite store (sqlite/*.ts, their SQL written to mean the same
 * on both) over a PostgreSQL connection (db.ts), with PostgreSQL's own full-text search and change counter.
 */
import type { SearchStore } from '../api.js';
import { PartsStore } from '../composed.js';
import { toTsquery } from '../search-query.js';
import type { OpenOptions } from '../db.js';
import { Connection, SqlitePart } from '../sqlite/part.js';
import { PgError, type SyncPg } from './bridge.js';
import { connectPg, pgStoreError } from './connect.js';
import { PgDb } from './db.js';
import { PgFetchWriter } from './fetch-write.js';
import { PgLeases } from './leases.js';
import { ensurePgSchema } from './schema.js';
import { parsePgUrl, type PgTarget } from './url.js';

export class PgStore extends PartsStore {
  private constructor(
    readonly pg: SyncPg,
    readonly target: PgTarget,
    readonly: boolean,
  ) {
    super(new Connection(new PgDb(pg, readonly), target.display, (err) => (err instanceof PgError ? pgStoreError(err, target) : null)), (c) => new PgSearch(c), (c) => new PgLeases(c), (c) => new PgFetchWriter(c));
  }

  /** Connects to the database a postgres:// URL names, setting it up or migrating it unless read-only. */
  static open(url: string, options: OpenOptions = {}, env: NodeJS.ProcessEnv = process.env): PgStore {
    const target = parsePgUrl(url, env);
    const pg = connectPg(target, { lockTimeoutMs: options.busyTimeoutMs });
    let readonly = options.readonly === true;
    try {
      ensurePgSchema(pg, target, { readonly: options.readonly });
      // a command that reads (and writes only caches and records) reads as a role that may not write, as on
      // a SQLite file this user may not write: what it would have written is left out
      if (!readonly && options.readonlyIfDenied) readonly = !mayWrite(pg);
    } catch (err) {
      pg.close();
      throw err;
    }
    return new PgStore(pg, target, readonly);
  }

  tryTogether<T>(fn: () => T, waitMs?: number): { value: T } | null {
    return this.conn.guard(() => (this.conn.db as PgDb).tryImmediate(fn, waitMs));
  }

  close(): void {
    this.pg.close();
  }
}

/**
 * Whether this role may write every momentscan table (insert, update, delete) and bump the data version
 * (USAGE or UPDATE on its sequence, which the counts' trigger needs).
 */
function mayWrite(pg: SyncPg): boolean {
  const row = pg.query<{ may: number | boolean | null }>(
    `SELECT bool_and(has_table_privilege(c.oid, 'INSERT') AND has_table_privilege(c.oid, 'UPDATE') AND has_table_privilege(c.oid, 'DELETE'))
            AND has_sequence_privilege('momentscan_data_version', 'USAGE,UPDATE') AS may
     FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')`,
  ).rows[0];
  // (booleans come back as SQLite's 0 and 1)
  return row?.may === null || row?.may === undefined ? true : Boolean(row.may);
}

/**
 * Full-text search on PostgreSQL: items.search, a tsvector generated from the title and summary, indexed
 * (GIN); nothing to bring up to date. Queries are read as on SQLite (search-query.ts).
 */
export class PgSearch extends SqlitePart implements SearchStore {
  updateSearchIndex(): number {
    return 0;
  }

  searchIds(query: string): Set<number> {
    const tsquery = toTsquery(query);
    return this.guard(() => new Set(this.stmt("SELECT id FROM items WHERE search @@ to_tsquery('simple', ?)").pluck().all(tsquery) as number[]));
  }
}
