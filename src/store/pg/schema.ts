/**
 * Opening a PostgreSQL database as momentscan's: the marker table says it is ours and at which schema
 * version; an empty database is set up; an older one is migrated (one transaction, under an advisory lock,
 * so that workers starting together migrate it once); a newer one, or another application's, is refused
 * before anything is written.
 */
import { StoreError } from '../../core/errors.js';
import type { SyncPg } from './bridge.js';
import { pgStoreError } from './connect.js';
import { PG_MIGRATIONS } from './migrations.js';
import type { PgTarget } from './url.js';

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** The advisory lock migrations take (any number; this one spells "momentsc"). */
const MIGRATION_LOCK = 0x6d6f6d656e747363n;

interface Found {
  marked: boolean;
  version: number;
  app: string | null;
  /** Tables in the schema momentscan would use, other than its marker. */
  tables: number;
}

function inspect(pg: SyncPg): Found {
  const marker = pg.query<{ reg: string | null; tables: number }>(
    `SELECT to_regclass(quote_ident(current_schema()) || '.momentscan_schema')::text AS reg,
            (SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'momentscan_schema') AS tables`,
  ).rows[0]!;
  if (!marker.reg) return { marked: false, version: 0, app: null, tables: marker.tables };
  const row = pg.query<{ version: number; app: string }>('SELECT version, app FROM momentscan_schema LIMIT 1').rows[0];
  return { marked: true, version: row?.version ?? 0, app: row?.app ?? null, tables: marker.tables };
}

function notOurs(target: PgTarget): StoreError {
  return new StoreError(`${target.display}: not a momentscan database (it holds another application's tables)`, {
    hint: 'it was left untouched; create a database for momentscan (createdb momentscan) and point --db at it',
  });
}

/** Checks (and when writable, sets up or migrates) the schema; StoreError when it is not ours or too new. */
export function ensurePgSchema(pg: SyncPg, target: PgTarget, o: { readonly?: boolean } = {}): void {
  try {
    check(inspect(pg), target);
    const found = inspect(pg);
    if (found.version === PG_SCHEMA_VERSION) return;
    if (o.readonly) {
      throw new StoreError(`${target.display}: ${found.marked ? 'database needs an upgrade' : 'no momentscan data yet'}`, {
        hint: 'run momentscan fetch once (with a user that may write it) to set it up',
      });
    }
    migratePg(pg, target);
  } catch (err) {
    throw pgStoreError(err, target);
  }
}

function check(found: Found, target: PgTarget): void {
  if (found.marked && found.app !== 'momentscan') throw notOurs(target);
  if (!found.marked && found.tables > 0) throw notOurs(target);
  if (found.version > PG_SCHEMA_VERSION) {
    throw new StoreError(`${target.display}: database schema version ${found.version} is newer than this momentscan understands (${PG_SCHEMA_VERSION})`, {
      hint: 'upgrade momentscan; the database was left untouched',
    });
  }
}

/** Applies the migrations from the database's version up to `to` (tests: an older schema), in one transaction. */
export function migratePg(pg: SyncPg, target: PgTarget, to = PG_MIGRATIONS.length): void {
  pg.locked(String(MIGRATION_LOCK), () => {
    // again, under the lock: another process may have set it up meanwhile
    const found = inspect(pg);
    check(found, target);
    if (!found.marked) {
      pg.query("CREATE TABLE momentscan_schema (app text NOT NULL CHECK (app = 'momentscan'), version integer NOT NULL)");
      pg.query("INSERT INTO momentscan_schema (app, version) VALUES ('momentscan', 0)");
    }
    for (let v = found.version; v < Math.min(to, PG_MIGRATIONS.length); v++) {
      pg.query(PG_MIGRATIONS[v]!);
      pg.query('UPDATE momentscan_schema SET version = $1', [v + 1]);
    }
  });
}
