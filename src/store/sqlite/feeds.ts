/** Feeds: their rows, kinds and health. */
import type { FeedStore } from '../api.js';
import type { FeedHealth, FeedRow } from '../model.js';
import { SqlitePart } from './part.js';

export const FEED_COLUMNS = `SELECT id, url, coalesce(fetch_url, url) AS fetchUrl, title, etag, last_modified AS lastModified,
  last_fetched_at AS lastFetchedAt, last_success_at AS lastSuccessAt, last_status AS lastStatus, last_error AS lastError,
  consecutive_failures AS consecutiveFailures, next_due_at AS nextDueAt, retired_at AS retiredAt FROM feeds`;

export class SqliteFeeds extends SqlitePart implements FeedStore {
  /** Makes sure every URL has a feed row; returns the rows in the order given. */
  ensureFeeds(urls: string[], now: number): FeedRow[] {
    return this.guard(() => {
      const insert = this.stmt('INSERT INTO feeds (url, created_at) VALUES (?, ?) ON CONFLICT (url) DO NOTHING');
      const select = this.stmt(`${FEED_COLUMNS} WHERE url = ?`);
      // A run's feeds are nearly always there already: read in one snapshot, without the writer lock (and
      // nothing to commit); only when one is missing are they inserted, in an immediate transaction.
      const rows = this.db.transaction(() => urls.map((u) => select.get(u) as FeedRow | undefined)).deferred();
      if (rows.every((r) => r !== undefined)) return rows as FeedRow[];
      const tx = this.db.transaction(() => urls.map((u) => {
        insert.run(u, now);
        return select.get(u) as FeedRow;
      }));
      return tx.immediate();
    });
  }

  /** Every feed's health over the fetch log since `since`, for the configured URLs (in that order). */
  feedHealth(urls: string[], since: number, now: number): FeedHealth[] {
    return this.guard(() => {
      const row = this.stmt(`${FEED_COLUMNS} WHERE url = ?`);
      const log = this.stmt(
        `SELECT count(*) AS fetches, total(status = 'not-modified') AS notModified, total(status = 'failed') AS failures,
                total(overflow) AS overflows
         FROM fetch_log WHERE feed_id = ? AND started_at >= ?`,
      );
      // a feed's items counted in the (feed_id, guid) index, no row read; those of the last 7 days, every
      // feed's at once, among the items fetched since then less the most any item was published ahead of its
      // fetch (story_state.max_lead), through items_fetched (fetched_at, feed_id, published_at): reading each
      // item's row for its time made `feeds list` and `status` linear in the history (~0.8 s for a million)
      const items = this.stmt('SELECT count(*) FROM items WHERE feed_id = ?').pluck();
      const weekAgo = now - 7 * 86_400_000;
      const lead = Number((this.stmt('SELECT max_lead FROM story_state').pluck().get() as number | null | undefined) ?? 0);
      const recent = new Map(
        // (grouped by feed_id + 0: by feed_id itself, SQLite reads every item in the (feed_id, guid) index's order instead)
        (this.stmt('SELECT feed_id + 0, count(*) FROM items WHERE fetched_at >= ? AND published_at >= ? GROUP BY feed_id + 0').raw().all(weekAgo - lead, weekAgo) as [number, number][]).map(
          ([id, n]) => [Number(id), Number(n)],
        ),
      );
      const out: FeedHealth[] = [];
      for (const url of urls) {
        const f = row.get(url) as FeedRow | undefined;
        if (!f) continue;
        const l = log.get(f.id, since) as { fetches: number; notModified: number; failures: number; overflows: number };
        out.push({ ...f, ...l, items: Number(items.get(f.id)), itemsPerDay: Math.round(((recent.get(Number(f.id)) ?? 0) / 7) * 10) / 10 });
      }
      return out;
    });
  }

  /** When any of these feeds was last read, or null (one row per feed: no item counted, no fetch log read). */
  lastReadAt(urls: string[]): number | null {
    return this.guard(() => {
      const wanted = new Set(urls);
      let last: number | null = null;
      for (const r of this.stmt('SELECT url, last_success_at AS readAt FROM feeds WHERE last_success_at IS NOT NULL').all() as { url: string; readAt: number }[]) {
        if (wanted.has(r.url) && (last === null || r.readAt > last)) last = r.readAt;
      }
      return last;
    });
  }

  /** Records what kind of source each feed is (google-news, reddit...). */
  setFeedKinds(kinds: ReadonlyMap<string, string>): void {
    this.guard(() => {
      const update = this.stmt('UPDATE feeds SET kind = ? WHERE url = ? AND kind <> ?');
      // nothing to write, as on every run after the first: no writer lock taken
      const differs = this.stmt('SELECT 1 FROM feeds WHERE url = ? AND kind <> ?').pluck();
      const changed = this.db.transaction(() => {
        for (const [url, kind] of kinds) if (differs.get(url, kind) !== undefined) return true;
        return false;
      }).deferred();
      if (!changed) return;
      const tx = this.db.transaction(() => {
        for (const [url, kind] of kinds) update.run(kind, url, kind);
      });
      tx.immediate();
    });
  }
}
