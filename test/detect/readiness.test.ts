import { describe, expect, it } from 'vitest';
import type { Bucket } from '../../src/core/types.js';
import { bucketStart, gridShift } from '../../src/core/time.js';
import { scoreBuckets } from '../../src/detect/detect.js';
import { historyNeededBuckets, historyStart, learningUntil } from '../../src/detect/readiness.js';

const H = 3_600_000;
const D = 24 * H;
const START = Date.UTC(2026, 10, 19, 12, 30);

describe('readiness: when a topic is first judged', () => {
  it.each([
    // bucket, buckets of learning: two days of buckets that divide a day (at most 576), at least 16;
    // buckets finer than 15 minutes are judged in quarter hours, so they learn for two days of those
    [15 * 60_000, 192],
    [H, 48],
    [6 * H, 16],
    [D, 16],
    [60_000, 2880],
    [5 * 60_000, 576],
  ])('%d ms buckets learn for %d buckets', (bucket, n) => {
    expect(historyNeededBuckets(bucket)).toBe(n);
  });

  it.each([
    [START, 6 * H, Date.UTC(2026, 10, 23, 18)],
    [START, H, START - 30 * 60_000 + 49 * H],
    [null, 6 * H, null],
  ])('history from %s, bucket %d: something can be said from %s', (start, bucket, until) => {
    expect(learningUntil(start, bucket)).toBe(until);
  });

  // the rule is the detector's: the first bucket it judges ends exactly at learningUntil
  it.each([
    [14 * D, 6 * H],
    [14 * D, H],
    [14 * D, D],
    [7 * D, 3 * H],
    [28 * D, 12 * H],
    // finer than 15 minutes: judged in quarter-hour steps, first item in the middle of one
    [14 * D, 5 * 60_000, 7 * 60_000],
    [14 * D, 60_000, 9 * 60_000],
    // a team's zone (standard offset +1 h, −5 h, +5:30): its buckets cut at its midnight, the rule the same
    [14 * D, 6 * H, 0, H],
    [14 * D, D, 2 * H, -5 * H],
    [14 * D, H, 0, 5.5 * H],
    [14 * D, 5 * 60_000, 7 * 60_000, H],
  ])('matches scoreBuckets for a %d ms baseline of %d ms buckets', (baselineMs, bucketMs, offset = 0, zoneMs = 0) => {
    const historyStart = START + offset;
    const asOf = START + 30 * D;
    const shift = gridShift(bucketMs, zoneMs);
    const buckets: Bucket[] = [];
    for (let t = bucketStart(historyStart, bucketMs, shift); t <= asOf; t += bucketMs) {
      buckets.push({ start: t, count: 3, items: 3, scored: 0, sentimentSum: 0, sentimentSumSq: 0 });
    }
    const rows = scoreBuckets(buckets, { asOf, from: historyStart - 2 * D, bucketMs, baselineMs, sensitivity: 'medium', historyStart, ...(zoneMs ? { offsetMs: zoneMs } : {}) });
    const firstJudged = rows.find((r) => r.judged)!.start;
    expect((firstJudged - shift) % bucketMs).toBe(0);
    // the first judged bucket ends (and can first say something) at learningUntil
    expect(firstJudged + bucketMs).toBe(learningUntil(historyStart, bucketMs, zoneMs));
    expect(rows.filter((r) => r.start < firstJudged).every((r) => !r.judged)).toBe(true);
  });
});

describe('historyStart: where a topic\'s history starts for detection', () => {
  const T = Date.UTC(2026, 10, 18);
  const every = (n: number, step: number, from = T) => Array.from({ length: n }, (_, k) => from + k * step);
  it.each<[string, number[], number | null]>([
    ['no items', [], null],
    ['one item', [T], T],
    ['items every hour: the first', every(50, H), T],
    // a search's first answer listing a 2019 piece before two days of news
    ['an old article alone before the rest', [Date.UTC(2019, 4, 3), ...every(50, H)], T],
    ['several old ones, each alone', [Date.UTC(2019, 4, 3), Date.UTC(2024, 1, 1), T - 5 * D, ...every(50, H)], T],
    // a quiet topic: an item every three days; one a week before the next is its history, not an outlier
    ['a quiet topic keeps its first item', [T - 7 * D, ...every(20, 3 * D)], T - 7 * D],
    // a gap of less than a day is never a reason
    ['a few hours before the rest', [T - 12 * H, ...every(50, 60_000)], T - 12 * H],
  ])('%s', (_, times, expected) => {
    expect(historyStart(times)).toBe(expected);
  });
});
