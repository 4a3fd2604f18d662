/**
 * The PostgreSQL store: the same parts as the SQLite store (sqlite/*.ts, their SQL written to mean the same
 * on both) over a PostgreSQL connection (db.ts), with PostgreSQL's own full-text search and change counter.
 */
import { UsageError } from '../../core/errors.js';
import type { SearchStore } from '../api.js';
import { PartsStore } from '../composed.js';
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
    const pg = connectPg(target);
    try {
      ensurePgSchema(pg, target, { readonly: options.readonly });
    } catch (err) {
      pg.close();
      throw err;
    }
    return new PgStore(pg, target, options.readonly === true);
  }

  tryTogether<T>(fn: () => T): { value: T } | null {
    return this.conn.guard(() => (this.conn.db as PgDb).tryImmediate(fn));
  }

  close(): void {
    this.pg.close();
  }
}

/**
 * Full-text search on PostgreSQL: items.search, a tsvector generated from the title and summary, indexed
 * (GIN); nothing to bring up to date. Queries read like SQLite's FTS5 ones: words, "phrases", OR, NOT and
 * prefix* (websearch syntax, with prefixes added).
 */
export class PgSearch extends SqlitePart implements SearchStore {
  updateSearchIndex(): number {
    return 0;
  }

  searchIds(query: string): Set<number> {
    const tsquery = toTsquery(query);
    if (tsquery === null) {
      throw new UsageError(`--search: cannot read "${query}" as a search`, { hint: 'use words, "quoted phrases", OR, NOT and prefix*' });
    }
    return this.guard(() => new Set(this.stmt("SELECT id FROM items WHERE search @@ to_tsquery('simple', ?)").pluck().all(tsquery) as number[]));
  }
}

/**
 * An FTS5-style query (words, "phrases", OR, AND, NOT, prefix*, parentheses; AND implied) as a to_tsquery
 * text, or null when it cannot be read. Words are split, stripped of accents and lower-cased as the
 * items' search column is (migrations.ts).
 */
export function toTsquery(query: string): string | null {
  const tokens = query.match(/"[^"]*"|\(|\)|[^\s()"]+/g) ?? [];
  const out: string[] = [];
  let expectOperand = true;
  let depth = 0;
  const lexemes = (s: string): string[] =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]+/g, '')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
  for (const tok of tokens) {
    // binary operators, as in FTS5 (a query cannot start with NOT)
    if (tok === 'OR' || tok === 'AND' || tok === 'NOT') {
      if (expectOperand) return null;
      out.push(tok === 'OR' ? '|' : tok === 'AND' ? '&' : '& !');
      expectOperand = true;
      continue;
    }
    if (tok === ')') {
      if (expectOperand || depth === 0) return null;
      depth--;
      out.push(')');
      continue;
    }
    if (!expectOperand) out.push('&');
    if (tok === '(') {
      depth++;
      out.push('(');
      expectOperand = true;
      continue;
    }
    const prefix = tok.endsWith('*') && !tok.startsWith('"');
    const words = lexemes(tok.startsWith('"') ? tok.slice(1, -1) : tok);
    if (words.length === 0) return null;
    const quoted = words.map((w) => `'${w}'`);
    out.push(words.length === 1 ? `${quoted[0]}${prefix ? ':*' : ''}` : `(${quoted.join(' <-> ')}${prefix ? ':*' : ''})`);
    expectOperand = false;
  }
  if (expectOperand || depth !== 0 || out.length === 0) return null;
  return out.join(' ');
}
