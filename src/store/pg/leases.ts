/**
 * Leases for `fetch --worker` (PostgreSQL only): any number of worker processes on any number of hosts
 * claim due feeds so that each is fetched by one of them, and hold per-host slots so that together they
 * never have more requests in flight to one server than its per-host limit, nor start two requests to it
 * closer than its delay. A lease has an end: a worker that dies loses only its leases, and once they expire
 * the feeds (or slots) are claimed again. A slot is held for one request, so its lease is short.
 */
import type { LeaseStore } from '../api.js';
import { FEED_COLUMNS } from '../sqlite/feeds.js';
import type { FeedRow } from '../model.js';
import { SqlitePart } from '../sqlite/part.js';

/** The database server's clock, in epoch ms: every lease is taken and judged on it. */
const SERVER_NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

export class PgLeases extends SqlitePart implements LeaseStore {
  /**
   * Claims up to `n` of these feeds that are due (never fetched, or due again by `dueBy`), not retired (unless
   * `o.retired`), not fetched since `o.since` (this run's start: --force fetches each feed once) and not
   * leased to a live worker, the longest-due first, leasing them to `owner` for `leaseMs`. A fetch counts
   * from its start to its end (fetch_log): one another worker began a moment before this run started and
   * saved after it is this run's too, not a feed to fetch again (a fetch outlives its lease only when its
   * worker has been taken for dead, so one that began over `leaseMs` before is not looked for).
   * Rows another worker is claiming at this moment are skipped, never waited for. Leases are taken, and
   * their end judged, on the server's clock, as host slots are: a worker whose clock runs ahead must not
   * take the feeds a live worker holds (`dueBy` and `since` are the worker's, as the times it saves are).
   */
  claimFeeds(urls: string[], dueBy: number, n: number, leaseMs: number, owner: string, o: { since: number; retired: boolean }): FeedRow[] {
    if (urls.length === 0 || n <= 0) return [];
    return this.guard(() => {
      const ids = this.stmt(
        `UPDATE feeds SET leased_until = ${SERVER_NOW} + ?, lease_owner = ?
         WHERE id IN (SELECT id FROM feeds
                      WHERE url = ANY(?) AND (retired_at IS NULL OR ?)
                        AND (next_due_at IS NULL OR next_due_at <= ?)
                        AND (last_fetched_at IS NULL OR last_fetched_at < ?)
                        AND NOT EXISTS (SELECT 1 FROM fetch_log l WHERE l.feed_id = feeds.id
                                          AND l.started_at >= ?::bigint - ?::bigint AND l.started_at + l.duration_ms >= ?)
                        AND (leased_until IS NULL OR leased_until < ${SERVER_NOW})
                      ORDER BY next_due_at NULLS FIRST, id LIMIT ? FOR UPDATE SKIP LOCKED)
         RETURNING id`,
      )
        .pluck()
        .all(leaseMs, owner, urls, o.retired, dueBy, o.since, o.since, leaseMs, o.since, n) as number[];
      if (ids.length === 0) return [];
      const rows = this.stmt(`${FEED_COLUMNS} WHERE id = ANY(?) ORDER BY next_due_at NULLS FIRST, id`).all(ids) as FeedRow[];
      return rows;
    });
  }

  /** Gives a feed's lease back (after its fetch is saved), if it is still this worker's. */
  releaseFeed(feedId: number, owner: string): void {
    this.guard(() => this.stmt('UPDATE feeds SET leased_until = NULL, lease_owner = NULL WHERE id = ? AND lease_owner = ?').run(feedId, owner));
  }

  claimedFeeds(urls: string[]): { feeds: number; owners: string[]; until: number | null } {
    if (urls.length === 0) return { feeds: 0, owners: [], until: null };
    return this.guard(() => {
      const rows = this.stmt(`SELECT lease_owner AS owner, count(*) AS n, max(leased_until) AS until FROM feeds WHERE url = ANY(?) AND leased_until >= ${SERVER_NOW} GROUP BY lease_owner ORDER BY lease_owner`).all(urls) as {
        owner: string;
        n: number;
        until: number;
      }[];
      return { feeds: rows.reduce((n, r) => n + r.n, 0), owners: rows.map((r) => r.owner), until: rows.length ? Math.max(...rows.map((r) => r.until)) : null };
    });
  }

  /** Hosts (with their limit) whose gate and slots exist: made once per connection. */
  private readonly hostsMade = new Set<string>();

  /**
   * Takes one of a host's `manners.perHost` request slots for `leaseMs`, shared by every worker, when the
   * host's gate is open: `manners.delayMs` has passed since the start of the last request any worker made
   * to it (fetch.hostDelay). The slot and the gate are taken together, in one statement, on the server's
   * clock (the workers' clocks may differ): `{ slot }`, or `{ waitMs }`, how long until the gate opens
   * (0 when it is open but every slot is taken: try again shortly).
   */
  claimHostSlot(host: string, manners: { perHost: number; delayMs: number }, leaseMs: number, owner: string): { slot: number } | { waitMs: number } {
    return this.guard(() => {
      const made = `${host}\n${manners.perHost}`;
      if (!this.hostsMade.has(made)) {
        // the host's gate and slots exist (a no-op once they do); a lowered limit leaves the extra slots unused
        this.stmt('INSERT INTO host_gates (host) VALUES (?) ON CONFLICT DO NOTHING').run(host);
        this.stmt('INSERT INTO host_slots (host, slot) SELECT ?, s FROM generate_series(0, ? - 1) AS s ON CONFLICT DO NOTHING').run(host, manners.perHost);
        this.hostsMade.add(made);
      }
      // The gate row is locked first (claims for one host queue there for an instant), then a free slot is
      // taken only while the gate is open, and the gate moves on only when a slot was taken.
      const row = this.stmt(
        `WITH gate AS (
           SELECT next_start_at AS next_at, ${SERVER_NOW} AS now
           FROM host_gates WHERE host = ? FOR UPDATE
         ), taken AS (
           UPDATE host_slots SET leased_until = (SELECT now FROM gate) + ?, lease_owner = ?
           WHERE (host, slot) IN (SELECT hs.host, hs.slot FROM host_slots hs, gate
                                  WHERE hs.host = ? AND hs.slot < ? AND gate.next_at <= gate.now
                                    AND (hs.leased_until IS NULL OR hs.leased_until < gate.now)
                                  ORDER BY hs.slot LIMIT 1 FOR UPDATE OF hs SKIP LOCKED)
           RETURNING slot
         ), moved AS (
           UPDATE host_gates SET next_start_at = (SELECT now FROM gate) + ?
           WHERE host = ? AND EXISTS (SELECT 1 FROM taken)
         )
         SELECT (SELECT slot FROM taken) AS slot, (SELECT next_at - now FROM gate) AS wait`,
      ).get(host, leaseMs, owner, host, manners.perHost, manners.delayMs, host) as { slot: number | null; wait: number | null } | undefined;
      if (row?.slot !== null && row?.slot !== undefined) return { slot: row.slot };
      return { waitMs: Math.max(0, row?.wait ?? 0) };
    });
  }

  releaseHostSlot(host: string, slot: number, owner: string): void {
    this.guard(() => this.stmt('UPDATE host_slots SET leased_until = NULL, lease_owner = NULL WHERE host = ? AND slot = ? AND lease_owner = ?').run(host, slot, owner));
  }
}
