/**
 * Leases for `fetch --worker` (PostgreSQL only): any number of worker processes on any number of hosts
 * claim due feeds so that each is fetched by one of them, and hold per-host slots so that together they
 * never have more requests in flight to one server than its per-host limit. A lease has an end: a worker
 * that dies loses only its leases, and once they expire the feeds (or slots) are claimed again.
 */
import type { LeaseStore } from '../api.js';
import { FEED_COLUMNS } from '../sqlite/feeds.js';
import type { FeedRow } from '../model.js';
import { SqlitePart } from '../sqlite/part.js';

export class PgLeases extends SqlitePart implements LeaseStore {
  /**
   * Claims up to `n` of these feeds that are due (never fetched, or due again by `dueBy`), not retired (unless
   * `o.retired`), not fetched since `o.since` (this run's start: --force fetches each feed once) and not
   * leased to a live worker, the longest-due first, leasing them to `owner` until `now + leaseMs`.
   * Rows another worker is claiming at this moment are skipped, never waited for.
   */
  claimFeeds(urls: string[], now: number, dueBy: number, n: number, leaseMs: number, owner: string, o: { since: number; retired: boolean }): FeedRow[] {
    if (urls.length === 0 || n <= 0) return [];
    return this.guard(() => {
      const ids = this.stmt(
        `UPDATE feeds SET leased_until = ?, lease_owner = ?
         WHERE id IN (SELECT id FROM feeds
                      WHERE url = ANY(?) AND (retired_at IS NULL OR ?)
                        AND (next_due_at IS NULL OR next_due_at <= ?)
                        AND (last_fetched_at IS NULL OR last_fetched_at < ?)
                        AND (leased_until IS NULL OR leased_until < ?)
                      ORDER BY next_due_at NULLS FIRST, id LIMIT ? FOR UPDATE SKIP LOCKED)
         RETURNING id`,
      )
        .pluck()
        .all(now + leaseMs, owner, urls, o.retired, dueBy, o.since, now, n) as number[];
      if (ids.length === 0) return [];
      const rows = this.stmt(`${FEED_COLUMNS} WHERE id = ANY(?) ORDER BY next_due_at NULLS FIRST, id`).all(ids) as FeedRow[];
      return rows;
    });
  }

  /** Gives a feed's lease back (after its fetch is saved), if it is still this worker's. */
  releaseFeed(feedId: number, owner: string): void {
    this.guard(() => this.stmt('UPDATE feeds SET leased_until = NULL, lease_owner = NULL WHERE id = ? AND lease_owner = ?').run(feedId, owner));
  }

  /**
   * Takes one of a host's `limit` request slots until `now + leaseMs`, shared by every worker; returns its
   * number, or null when all are taken (try again shortly).
   */
  claimHostSlot(host: string, limit: number, now: number, leaseMs: number, owner: string): number | null {
    return this.guard(() => {
      // the host's slots exist (a no-op once they do); a lowered limit leaves the extra slots unused
      this.stmt('INSERT INTO host_slots (host, slot) SELECT ?, s FROM generate_series(0, ? - 1) AS s ON CONFLICT DO NOTHING').run(host, limit);
      const slot = this.stmt(
        `UPDATE host_slots SET leased_until = ?, lease_owner = ?
         WHERE (host, slot) IN (SELECT host, slot FROM host_slots
                                WHERE host = ? AND slot < ? AND (leased_until IS NULL OR leased_until < ?)
                                ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED)
         RETURNING slot`,
      )
        .pluck()
        .get(now + leaseMs, owner, host, limit, now) as number | undefined;
      return slot ?? null;
    });
  }

  releaseHostSlot(host: string, slot: number, owner: string): void {
    this.guard(() => this.stmt('UPDATE host_slots SET leased_until = NULL, lease_owner = NULL WHERE host = ? AND slot = ? AND lease_owner = ?').run(host, slot, owner));
  }
}
