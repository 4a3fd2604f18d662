import { bucketStart } from '../core/time.js';

/**
 * When a topic can first be judged. Pure, and the one place this rule is written down for saying so
 * ("still learning until ..."): the detector (scoreBuckets) judges a bucket once the topic's history
 * before it covers a quarter of the baseline window, and at least 4 buckets — counted in whole buckets
 * from the one holding the topic's first item. Until then its buckets are `learning` and can make no
 * moment. A test checks this against the detector, so the two cannot drift apart unnoticed.
 */

/** Buckets of history a topic needs before it is judged: a quarter of the baseline, at least 4. */
export function historyNeededBuckets(baselineMs: number, bucketMs: number): number {
  const baselineBuckets = Math.max(1, Math.round(baselineMs / bucketMs));
  return Math.max(4, Math.ceil(baselineBuckets / 4));
}

/**
 * The time from which a topic whose first item is at `historyStart` is judged, or null when it has no
 * items at all (there is no telling yet). A topic is still learning at an evaluation time before this.
 */
export function learningUntil(historyStart: number | null, baselineMs: number, bucketMs: number): number | null {
  if (historyStart === null || !Number.isFinite(historyStart)) return null;
  return bucketStart(historyStart, bucketMs) + historyNeededBuckets(baselineMs, bucketMs) * bucketMs;
}
