import { bucketStart } from '../core/time.js';
import { SeriesDetector } from './series.js';

/**
 * When a topic can first be judged. Pure, and the one place this rule is written down for saying so
 * ("still learning until ..."): the engine starts at the bucket holding the topic's first item and
 * learns from its first rows before it judges any (SeriesDetector.warmupRows: two days of buckets for
 * buckets that divide a day, at least 16 buckets; buckets finer than 15 minutes are learnt from in
 * quarter-hour steps, two days of those). Until then its buckets are `learning` and can make
 * no moment. A test checks this against the detector, so the two cannot drift apart unnoticed.
 */

/** Buckets of history a topic needs before it is judged. */
export function historyNeededBuckets(bucketMs: number): number {
  return SeriesDetector.warmupRows(bucketMs);
}

/**
 * The time from which a topic whose first item is at `historyStart` is judged (the end of its last
 * learning bucket), or null when it has no items at all (there is no telling yet). A topic is still
 * learning at an evaluation time before this.
 */
export function learningUntil(historyStart: number | null, bucketMs: number): number | null {
  if (historyStart === null || !Number.isFinite(historyStart)) return null;
  // buckets finer than 15 minutes are learnt from in steps of several buckets, aligned to the clock
  const step = bucketMs * SeriesDetector.rowsPerStep(bucketMs);
  return bucketStart(historyStart, step) + SeriesDetector.warmupRows(step) * step + bucketMs;
}

/** How many of a topic's first items historyStart looks at. */
export const HISTORY_LOOK = 101;
const DAY_MS = 86_400_000;

/**
 * Where a topic's history starts for detection, from the times of its first items (oldest first, up to
 * HISTORY_LOOK): its first item, unless that stands alone before the rest — an old article a search feed
 * still lists (a 2019 piece among the last two days' news, in a new topic's first fetch), or a first fetch
 * that brought one item days before the others. The weeks between such an item and the rest were never
 * fetched; counted as quiet, they made the first stories of a new topic a spike (score 49 on its first run),
 * and the topic was not said to be learning. An item stands alone when the time to the next one is more than
 * a day and more than 20 times the median time between the items after it. Null when there are none.
 */
export function historyStart(times: readonly number[]): number | null {
  let i = 0;
  while (i + 2 < times.length) {
    const gaps: number[] = [];
    for (let k = i + 1; k + 1 < times.length; k++) gaps.push(times[k + 1]! - times[k]!);
    gaps.sort((a, b) => a - b);
    const median = gaps[Math.floor(gaps.length / 2)]!;
    if (times[i + 1]! - times[i]! <= Math.max(DAY_MS, 20 * median)) break;
    i++;
  }
  return times.length ? times[i]! : null;
}
