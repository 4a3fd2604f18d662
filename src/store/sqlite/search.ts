/** Full-text search over titles and summaries. */
import { UsageError } from '../../core/errors.js';
import type { SearchStore } from '../api.js';
import { toFts5Query } from '../search-query.js';
import { SqlitePart } from './part.js';

export class SqliteSearch extends SqlitePart implements SearchStore {
  /**
   * Brings the full-text index up to date: items are only ever added, so whatever has an id above the
   * last indexed one goes in. Done at search time, so ingest does not pay for it.
   */
  updateSearchIndex(): number {
    return this.guard(() =>
      this.db.transaction(() => {
        const from = this.stmt('SELECT indexed_to FROM fts_state').pluck().get() as number;
        const to = (this.stmt('SELECT coalesce(max(id), 0) FROM items').pluck().get() as number) ?? 0;
        if (to <= from) return 0;
        // a read-only store cannot add them: says how many items the search will not see
        if (this.db.readonly) return this.stmt('SELECT count(*) FROM items WHERE id > ?').pluck().get(from) as number;
        this.stmt('INSERT INTO items_fts (rowid, title, summary) SELECT id, title, summary FROM items WHERE id > ? AND id <= ?').run(from, to);
        this.stmt('UPDATE fts_state SET indexed_to = ?').run(to);
        return 0;
      })[this.db.readonly ? 'deferred' : 'immediate'](),
    );
  }

  /** Ids of items whose title or summary match a query (words, "phrases", OR, NOT, prefix*: search-query.ts). */
  searchIds(query: string): Set<number> {
    const match = toFts5Query(query);
    return this.guard(() => {
      try {
        return new Set(this.stmt('SELECT rowid FROM items_fts WHERE items_fts MATCH ?').pluck().all(match) as number[]);
      } catch (err) {
        // a query FTS5 cannot read is the user's input, not a database fault
        if (err instanceof Error && (err as { code?: string }).code === 'SQLITE_ERROR') {
          throw new UsageError(`--search: cannot read "${query}" as a search (${err.message})`, {
            hint: 'use words, "quoted phrases", OR, NOT and prefix*',
          });
        }
        throw err;
      }
    });
  }
}
