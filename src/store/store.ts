/**
 * The stores: the parts in sqlite/ (one per concern) over one connection, behind the `Store` interface of
 * api.ts (composed.ts). `Store.open(file)` opens (creating and migrating if needed) a SQLite database file;
 * `openStore(location)` that or a PostgreSQL database (pg/store.ts), whichever `--db` names;
 * `{ readonly: true }` opens one without writing to it (commands that only read).
 */
import { existsSync } from 'node:fs';
import type { Store as StoreApi } from './api.js';
import { PartsStore } from './composed.js';
import { PAGE_CACHE_BYTES, openDatabase, type DB, type OpenOptions } from './db.js';
import { isPostgresUrl } from '../core/paths.js';
import { Connection } from './sqlite/part.js';

export * from './model.js';
export type * from './api.js';
export type { OpenOptions } from './db.js';

/** The store as stages use it (api.ts); `Store.open` opens the SQLite one. */
export type Store = StoreApi;
export const Store = {
  open(file: string, options: OpenOptions = {}): SqliteStore {
    return SqliteStore.open(file, options);
  },
};

/**
 * Opens the store `--db` names: a postgres:// URL is a PostgreSQL database (pg/), anything else a SQLite
 * file. `env` gives the password sources (pg/url.ts).
 */
export async function openStore(location: string, options: OpenOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<StoreApi> {
  if (!isPostgresUrl(location)) return SqliteStore.open(location, options);
  const { PgStore } = await import('./pg/store.js');
  return PgStore.open(location, options, env);
}

export { isPostgresUrl };

/** Whether there is a store there to open: a PostgreSQL URL always (it is set up when first opened), a file when it exists. */
export function storeExists(location: string): boolean {
  return isPostgresUrl(location) || existsSync(location);
}

/** The SQLite store: the parts over one better-sqlite3 connection. */
export class SqliteStore extends PartsStore {
  private constructor(
    /** The connection itself, for tests that look at tables. */
    readonly db: DB,
    file: string,
  ) {
    super(new Connection(db, file));
  }

  static open(file: string, options: OpenOptions = {}): SqliteStore {
    return new SqliteStore(openDatabase(file, options), file);
  }

  pageCache(bytes: number | null): void {
    this.db.pragma(`cache_size = ${-Math.round((bytes ?? PAGE_CACHE_BYTES) / 1024)}`);
  }

  mapReads(bytes: number): void {
    this.db.pragma(`mmap_size = ${Math.max(0, Math.round(bytes))}`);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
