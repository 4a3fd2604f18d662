import { bucketStart, gridShift } from '../core/time.js';
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
export function learningUntil(historyStart: number | null, bucketMs: number, offsetMs = 0): number | null {
  if (historyStart === null || !Number.isFinite(historyStart)) return null;
  // buckets finer than 15 minutes are learnt from in steps of several buckets, aligned to the clock
  const step = bucketMs * SeriesDetector.rowsPerStep(bucketMs);
  return bucketStart(historyStart, step, gridShift(step, offsetMs)) + SeriesDetector.warmupRows(step) * step + bucketMs;
}

// (where a history starts, an old item alone before the rest left out: core/history.ts, the store's coverage uses it too)
export { HISTORY_LOOK, historyStart } from '../core/history.js';
