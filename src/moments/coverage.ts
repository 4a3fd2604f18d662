import { engineStart, type DetectOptions } from '../detect/detect.js';
import { HISTORY_LOOK, historyStart } from '../detect/readiness.js';
import type { Config } from '../config/schema.js';
import { configuredFeeds } from '../ingest/due.js';
import type { Store } from '../store/store.js';
import type { TopicCoverage } from '../store/model.js';
import { type PackedBuckets, regrid, unpackBuckets } from '../core/buckets.js';
import type { Bucket } from '../core/types.js';
import { QUARTER_MS } from '../store/db.js';

/** Items published before the evaluation time may still be fetched (and found overflowing) this long after it. */
export const MAX_FETCH_LAG_MS = 2 * 86_400_000;

/**
 * When the configured feeds were last read, if no feed was read in the hour (or three fetch intervals)
 * before `asOf` and some had been before: what was published since is not in the history (a stopped cron,
 * a laptop closed), so a report of that time is not a quiet one. Null otherwise.
 */
export function notFetchedSince(config: Config, store: Store, asOf: number): number | null {
  if (!store.hasItems()) return null;
  const last = store.lastReadAt(configuredFeeds(config));
  return last !== null && last < asOf - Math.max(3_600_000, 3 * config.fetch.intervalMs) ? last : null;
}

/** Where a topic's history starts for detection (readiness.ts historyStart: its first item, unless that stands alone). */
export function topicHistoryStart(store: Store, topicId: number): number | null {
  return historyStart(store.firstItemTimes(topicId, HISTORY_LOOK));
}

/**
 * A topic's bucket counts over [from, to) on a grid cut `shift` after the epoch's (detect.ts shiftOf: the
 * team's midnight; 0: the store's own grid): rolled up from its quarter-hour counts when shifted.
 */
export function gridBucketCounts(store: Store, topicId: number, from: number, to: number, bucketMs: number, shift: number, shared = false): PackedBuckets {
  if (shift === 0) return store.packedBucketCounts(topicId, from, to, bucketMs, shared);
  const quarters = store.packedBucketCounts(topicId, from, to, QUARTER_MS);
  return regrid(quarters, bucketMs, shift, shared ? new Float64Array(new SharedArrayBuffer(quarters.byteLength)) : undefined);
}

/** gridBucketCounts as objects (timeline, charts). */
export function gridBuckets(store: Store, topicId: number, from: number, to: number, bucketMs: number, shift: number): Bucket[] {
  return shift === 0 ? store.bucketCounts(topicId, from, to, bucketMs) : unpackBuckets(gridBucketCounts(store, topicId, from, to, bucketMs, shift));
}

/**
 * The engine's options for a topic with the periods nobody fetched over its run (`blind`), read from the
 * fetch log: from every fetch since the engine's start, later ones too, as the counts are (an item published
 * before the evaluation time and fetched after it counts; so does a gap found by a later fetch).
 */
export function withUnfetched(store: Store, topicId: number, o: DetectOptions): DetectOptions {
  if (o.historyStart === null) return o;
  const blind = unfetchedPeriods(store.topicCoverage(topicId, engineStart(o), Number.MAX_SAFE_INTEGER));
  return blind.length ? { ...o, blind } : o;
}

/**
 * The periods nobody fetched for a topic, from its fetch log (Store.topicCoverage): pure, no clock.
 *
 * A feed keeps only its last items. When a fetch finds nothing but new items (the machine was off, cron
 * stopped, the network was down for longer than the feed holds), the items published between the feed's
 * fetch before it and the oldest item it brought were dropped unseen: that stretch is the feed's gap. A
 * feed also sees nothing before its first fetch's oldest item nor after its last successful fetch.
 *
 * A stretch is unfetched for the topic when the feeds that did not see it brought at least half of the
 * topic's items in the 14 days before the first gap (a feed that rarely carries the topic, read all along,
 * does not make a week nobody fetched look read). Returned as [start, end) periods, oldest first, merged.
 */
export function unfetchedPeriods(c: TopicCoverage): [number, number][] {
  if (c.gaps.length === 0) return [];
  const total = c.feeds.reduce((sum, f) => sum + f.items, 0);
  // no items before the gaps to weigh the feeds by: every feed of the topic counts the same
  const weight = (f: TopicCoverage['feeds'][number]) => (total > 0 ? f.items / total : 1 / c.feeds.length);
  const cuts = [...new Set(c.gaps.flatMap((g) => [g.start, g.end]).concat(c.feeds.flatMap((f) => [f.first ?? -Infinity, f.last ?? -Infinity])))]
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const lo = Math.min(...c.gaps.map((g) => g.start));
  const hi = Math.max(...c.gaps.map((g) => g.end));
  const out: [number, number][] = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [a, b] = [cuts[k]!, cuts[k + 1]!];
    if (a < lo || b > hi) continue;
    const mid = (a + b) / 2;
    let unseen = 0;
    for (const f of c.feeds) {
      const read = f.first !== null && f.last !== null && f.first <= mid && mid <= f.last && !c.gaps.some((g) => g.feedId === f.feedId && g.start < mid && mid < g.end);
      if (!read) unseen += weight(f);
    }
    if (unseen < 0.5) continue;
    const last = out[out.length - 1];
    if (last && last[1] === a) last[1] = b;
    else out.push([a, b]);
  }
  return out;
}
