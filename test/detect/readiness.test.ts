import { describe, expect, it } from 'vitest';
import type { Bucket } from '../../src/core/types.js';
import { scoreBuckets } from '../../src/detect/detect.js';
import { historyNeededBuckets, learningUntil } from '../../src/detect/readiness.js';

const H = 3_600_000;
const D = 24 * H;
const START = Date.UTC(2026, 10, 19, 12, 30);

describe('readiness: when a topic is first judged', () => {
  it.each([
    // baseline, bucket, buckets of history needed: a quarter of the baseline, at least 4
    [14 * D, 6 * H, 14],
    [14 * D, H, 84],
    [14 * D, D, 4],
    [7 * D, D, 4],
    [28 * D, D, 7],
    [4 * H, H, 4],
  ])('a %d ms baseline of %d ms buckets needs %d buckets of history', (baseline, bucket, n) => {
    expect(historyNeededBuckets(baseline, bucket)).toBe(n);
  });

  it.each([
    [START, 14 * D, 6 * H, Date.UTC(2026, 10, 23, 0)],
    [START, 14 * D, D, Date.UTC(2026, 10, 23)],
    [START, 14 * D, H, START - 30 * 60_000 + 84 * H],
    [null, 14 * D, 6 * H, null],
  ])('history from %s, baseline %d, bucket %d: judged from %s', (start, baseline, bucket, until) => {
    expect(learningUntil(start, baseline, bucket)).toBe(until);
  });

  // the rule is the detector's: the first bucket it judges starts exactly at learningUntil
  it.each([
    [14 * D, 6 * H],
    [14 * D, H],
    [14 * D, D],
    [7 * D, 3 * H],
    [28 * D, 12 * H],
  ])('matches scoreBuckets for a %d ms baseline of %d ms buckets', (baselineMs, bucketMs) => {
    const historyStart = START;
    const asOf = START + 30 * D;
    const buckets: Bucket[] = [];
    for (let t = Math.floor(historyStart / bucketMs) * bucketMs; t <= asOf; t += bucketMs) {
      buckets.push({ start: t, count: 3, items: 3, scored: 0, sentimentSum: 0, sentimentSumSq: 0 });
    }
    const rows = scoreBuckets(buckets, { asOf, from: historyStart - 2 * D, bucketMs, baselineMs, sensitivity: 'medium', historyStart });
    const firstJudged = rows.find((r) => r.judged)!.start;
    expect(firstJudged).toBe(learningUntil(historyStart, baselineMs, bucketMs));
    expect(rows.filter((r) => r.start < firstJudged).every((r) => !r.judged)).toBe(true);
  });
});
