/** Bucket aggregates: the per-topic quarter-hour counts, their weekly cache, and saved engine states. */
import { BUCKET_WIDTH, packBuckets, type PackedBuckets, unpackBuckets } from '../../core/buckets.js';
import type { Bucket } from '../../core/types.js';
import type { CountStore } from '../api.js';
import { COUNTS_WEEK_MS, QUARTER_MS, TOPIC_QUARTERS_SELECT } from '../db.js';
import { SqlitePart } from './part.js';

/** topic_quarter_weeks holds little-endian float64s: read in place on such a machine (every usual one). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** A blob of float64s as a Float64Array (in place when aligned). */
function float64s(data: Buffer): Float64Array {
  const bytes = data.byteOffset % 8 === 0 ? data : new Uint8Array(data);
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}

/** Packed buckets in a SharedArrayBuffer when asked for (copied: these come from a query, not from the cache). */
function sharedIf(shared: boolean, buckets: PackedBuckets): PackedBuckets {
  if (!shared) return buckets;
  const out = new Float64Array(new SharedArrayBuffer(buckets.byteLength));
  out.set(buckets);
  return out;
}

export class SqliteCounts extends SqlitePart implements CountStore {
  /**
   * Per-bucket story counts and sentiment sums for a topic over [from, to); empty buckets are absent.
   * The same as grouping the topic's matches, cheaper: buckets of whole quarter hours (15m, 1h, 6h, 1d...)
   * are rolled up from the quarter-hour counts, and only what is not whole quarters comes from the matches:
   * the quarter holding `to` (so an evaluation time inside it sees only what was published by then), the
   * one holding `from` when it does not start there, and anything before 1970. Other sizes are grouped from
   * the matches.
   */
  bucketCounts(topicId: number, from: number, to: number, bucketMs: number): Bucket[] {
    return unpackBuckets(this.packedBucketCounts(topicId, from, to, bucketMs));
  }

  /**
   * bucketCounts, packed (six numbers a bucket, no object each): what detection reads. `shared`: in a
   * SharedArrayBuffer, for a worker thread (written there as it is rolled up, rather than copied after).
   */
  packedBucketCounts(topicId: number, from: number, to: number, bucketMs: number, shared = false): PackedBuckets {
    return this.guard(() => {
      if (bucketMs % QUARTER_MS !== 0) return sharedIf(shared, packBuckets(this.bucketsFromMatches(topicId, from, to, bucketMs)));
      // The whole quarters in [from, to): [lo, cut). Slot k holds [k, k + 15 min) from k = 15 min on; slots
      // are keyed by truncation, so slot 0 also holds the quarter before 1970, and earlier ones (k - 15 min, k].
      const lo = Math.max(Math.ceil(from / QUARTER_MS) * QUARTER_MS, QUARTER_MS);
      const cut = Math.floor(to / QUARTER_MS) * QUARTER_MS;
      if (lo >= cut) return sharedIf(shared, packBuckets(this.bucketsFromMatches(topicId, from, to, bucketMs)));
      const head = from < lo ? packBuckets(this.bucketsFromMatches(topicId, from, lo, bucketMs)) : new Float64Array(0);
      const weeks = this.quarterWeeks(topicId, lo, cut);
      const tail = cut < to ? packBuckets(this.bucketsFromMatches(topicId, cut, to, bucketMs)) : new Float64Array(0);
      // at most a bucket per row: fill, then trim
      const most = weeks.reduce((n, w) => n + w.length, head.length + tail.length);
      const out = shared ? new Float64Array(new SharedArrayBuffer(most * 8)) : new Float64Array(most);
      out.set(head);
      let end = head.length;
      // rows come in slot order: roll them up into buckets without a sort (the last bucket is out[c..c+5])
      let c = end - BUCKET_WIDTH;
      for (const rows of weeks) {
        if (bucketMs === QUARTER_MS) {
          // quarter-hour buckets are the rows themselves (the same six numbers): those in [lo, cut) copied whole
          let a = 0;
          while (a < rows.length && rows[a]! < lo) a += 6;
          let b = a;
          while (b < rows.length && rows[b]! < cut) b += 6;
          out.set(rows.subarray(a, b), end);
          end += b - a;
          c = end - BUCKET_WIDTH;
          continue;
        }
        for (let k = 0; k < rows.length; k += 6) {
          const q = rows[k]!;
          if (q < lo || q >= cut) continue;
          const start = q - (q % bucketMs);
          if (c < 0 || out[c] !== start) {
            c = end;
            end += BUCKET_WIDTH;
            out[c] = start; // the others are 0
          }
          for (let f = 1; f < 6; f++) out[c + f]! += rows[k + f]!;
        }
      }
      for (let k = 0; k < tail.length; k += BUCKET_WIDTH) {
        if (c >= 0 && out[c] === tail[k]) {
          for (let f = 1; f < BUCKET_WIDTH; f++) out[c + f]! += tail[k + f]!;
        } else {
          c = end;
          end += BUCKET_WIDTH;
          out.set(tail.subarray(k, k + BUCKET_WIDTH), c);
        }
      }
      // (shared: the memory is not copied again; what is past the end is at most a few weeks' rows)
      return shared ? out.subarray(0, end) : out.slice(0, end);
    });
  }

  /**
   * A topic's quarter-hour counts in the weeks that hold [lo, cut) (lo > 0; rows outside it included), in
   * slot order, as runs of six numbers: slot, stories, items, scored, sentiment sum, sum of squares. Read
   * from the cache in topic_quarter_weeks; weeks missing from it (written to since, or never read) are
   * computed from topic_quarters and cached, in one immediate transaction, so that no writer comes between
   * the read and the write. Only the weeks between the topic's first and last quarter in the range are
   * cached (a range of years holds a few weeks of data).
   */
  private quarterWeeks(topicId: number, lo: number, cut: number): Float64Array[] {
    // two queries: SQLite answers a lone min() or max() from the primary key's ends, but scans the whole
    // range for both in one (a quarter of a second over 100 topics of 90 days)
    const lowest = this.stmt('SELECT min(slot) FROM topic_quarters WHERE topic_id = ? AND slot >= ? AND slot < ?').pluck().get(topicId, lo, cut) as number | null;
    if (lowest === null) return [];
    const highest = this.stmt('SELECT max(slot) FROM topic_quarters WHERE topic_id = ? AND slot >= ? AND slot < ?').pluck().get(topicId, lo, cut) as number;
    const first = Math.trunc(lowest / COUNTS_WEEK_MS);
    const last = Math.trunc(highest / COUNTS_WEEK_MS);
    const cached = () =>
      this.stmt('SELECT week, data FROM topic_quarter_weeks WHERE topic_id = ? AND week >= ? AND week <= ? ORDER BY week')
        .raw()
        .all(topicId, first, last) as [number, Buffer][];
    const rowsOf = (from: number, to: number) =>
      this.stmt('SELECT slot, stories, items, scored, sentiment_sum, sentiment_sq FROM topic_quarters WHERE topic_id = ? AND slot >= ? AND slot < ? ORDER BY slot')
        .raw()
        .all(topicId, from, to) as number[][];
    const hit = cached();
    if (hit.length === last - first + 1) return hit.map(([, data]) => float64s(data));
    if (this.db.readonly || !LITTLE_ENDIAN) return [Float64Array.from(rowsOf(lo, cut).flat())];
    return this.db.transaction(() => {
      const have = new Map(cached()); // again, inside the write lock
      const missing: number[] = [];
      for (let w = first; w <= last; w++) if (!have.has(w)) missing.push(w);
      const fresh = new Map<number, number[]>(missing.map((w) => [w, []]));
      // (none missing: another process cached them since the look above)
      const found = missing.length > 0 ? rowsOf(missing[0]! * COUNTS_WEEK_MS, (missing[missing.length - 1]! + 1) * COUNTS_WEEK_MS) : [];
      for (const row of found) fresh.get(Math.trunc(row[0]! / COUNTS_WEEK_MS))?.push(...row);
      const put = this.stmt('INSERT INTO topic_quarter_weeks (topic_id, week, data) VALUES (?, ?, ?)');
      const out: Float64Array[] = [];
      for (let w = first; w <= last; w++) {
        const data = have.get(w);
        if (data) out.push(float64s(data));
        else {
          const rows = Float64Array.from(fresh.get(w)!);
          put.run(topicId, w, Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength));
          out.push(rows);
        }
      }
      return out;
    }).immediate();
  }

  private bucketsFromMatches(topicId: number, from: number, to: number, bucketMs: number): Bucket[] {
    return this.stmt(
      // CAST: a JS number is bound as REAL, and REAL division would not truncate to the bucket.
      `SELECT (CAST(published_at AS BIGINT) / CAST(@b AS BIGINT)) * CAST(@b AS BIGINT) AS start,
              total(story_first) AS count, count(*) AS items,
              total(story_first AND sentiment IS NOT NULL) AS scored,
              total(CASE WHEN story_first THEN sentiment END) AS sentimentSum,
              total(CASE WHEN story_first THEN sentiment * sentiment END) AS sentimentSumSq
       FROM item_topics WHERE topic_id = @t AND published_at >= @from AND published_at < @to
       GROUP BY 1 ORDER BY 1`,
    ).all({ b: bucketMs, t: topicId, from, to }) as Bucket[];
  }

  /** Per topic: items and stories matched (from the quarter-hour counts), for `topics` and `status`. */
  topicTotals(): Map<number, { items: number; stories: number }> {
    return this.guard(() => {
      const rows = this.stmt('SELECT topic_id AS id, total(items) AS items, total(stories) AS stories FROM topic_quarters GROUP BY topic_id').all() as { id: number; items: number; stories: number }[];
      return new Map(rows.map((r) => [r.id, { items: r.items, stories: r.stories }]));
    });
  }

  /** Recomputes every topic's quarter-hour counts from the matches (after sentiments changed). */
  rebuildTopicCounts(): void {
    this.guard(() => {
      this.db.transaction(() => {
        // the caches go with them (the triggers would drop them row by row: this first makes that cheap)
        this.stmt('DELETE FROM topic_quarter_weeks').run();
        this.stmt('DELETE FROM engine_states').run();
        this.stmt('DELETE FROM topic_quarters').run();
        this.stmt(`INSERT INTO topic_quarters ${TOPIC_QUARTERS_SELECT} GROUP BY 1, 2`).run();
      }).immediate();
    });
  }

  /**
   * A change counter for what other connections commit (PRAGMA data_version): unchanged between two reads
   * on this connection means nothing was written meanwhile but by this connection.
   */
  dataVersion(): number {
    return this.guard(() => this.db.pragma('data_version', { simple: true }) as number);
  }

  /** The latest engine state saved for a topic under `key` at or before `atMost` (see detectResumable), or null. */
  engineState(topicId: number, key: string, atMost: number): { at: number; state: Uint8Array } | null {
    return this.guard(() => {
      const row = this.stmt('SELECT at, state FROM engine_states WHERE topic_id = ? AND key = ? AND at <= ? ORDER BY at DESC LIMIT 1')
        .raw()
        .get(topicId, key, atMost) as [number, Buffer] | undefined;
      return row ? { at: row[0], state: row[1] } : null;
    });
  }

  /**
   * Saves engine states computed from counts read while dataVersion() was `readAt`; nothing when another
   * connection has written since (counts may have changed under them: the triggers could not drop these).
   * Keeps a topic's latest state per key, and its three keys saved last. False when nothing was saved.
   */
  saveEngineStates(states: { topicId: number; key: string; at: number; state: Uint8Array }[], readAt: number): boolean {
    if (states.length === 0 || this.db.readonly) return false;
    return this.guard(() =>
      this.db
        .transaction(() => {
          if (this.dataVersion() !== readAt) return false;
          const put = this.stmt('INSERT INTO engine_states (topic_id, key, at, state) VALUES (?, ?, ?, ?)');
          // (the one it replaces too: the new row's rowid says it was saved last)
          const older = this.stmt('DELETE FROM engine_states WHERE topic_id = ? AND key = ? AND at <= ?');
          // (asked first: the delete costs 0.2–0.6 ms a topic even when there is nothing to delete, as there
          // rarely is — a topic has more keys only after its settings changed)
          const keys = this.stmt('SELECT count(DISTINCT key) FROM engine_states WHERE topic_id = ?').pluck();
          const otherKeys = this.stmt(
            `DELETE FROM engine_states WHERE topic_id = @t AND rowid NOT IN
               (SELECT max(rowid) FROM engine_states WHERE topic_id = @t GROUP BY key ORDER BY max(rowid) DESC LIMIT 3)`,
          );
          for (const s of states) {
            older.run(s.topicId, s.key, s.at);
            put.run(s.topicId, s.key, s.at, s.state);
            if (Number(keys.get(s.topicId)) > 3) otherKeys.run({ t: s.topicId });
          }
          return true;
        })
        .immediate(),
    );
  }
}
