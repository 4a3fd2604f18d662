import { describe, expect, it } from 'vitest';
import type { Bucket } from '../../src/core/types.js';
import { detectMoments, scoreBuckets, type DetectOptions } from '../../src/detect/detect.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 8, 1);
const BUCKET = 6 * H;

/** Poisson counts around a daily shape (6, 14, 18, 10 stories per 6 hours), seeded. */
function counts(n: number, seed = 11): number[] {
  let x = seed;
  const rnd = () => (x = (x * 16_807) % 2_147_483_647) / 2_147_483_647;
  const shape = [6, 14, 18, 10];
  return Array.from({ length: n }, (_, i) => {
    const rate = shape[i % 4]!;
    let k = 0;
    for (let p = Math.exp(-rate), cdf = p, u = rnd(); u > cdf && k < 500; ) (k++, (p *= rate / k), (cdf += p));
    return k;
  });
}

const series = (c: number[]): Bucket[] => c.map((count, i) => ({ start: T0 + i * BUCKET, count, scored: count, sentimentSum: 0.05 * count, sentimentSumSq: 0.1 * count }));

// Eight weeks fetched on time, then a week nobody fetched (the laptop closed: the feed kept its last
// items only, so the week's buckets hold nothing), two days fetched again, and then a burst of twice the
// usual stories for half a day.
const weeks = 8 * 28;
const gap = 6 * 4;
const after = 2 * 4;
const c = counts(weeks + gap + after + 8);
for (let i = weeks; i < weeks + gap; i++) c[i] = 0;
const burst = weeks + gap + after + 2;
c[burst] = 42;
c[burst + 1] = 30;
const n = c.length;
const asOf = T0 + n * BUCKET;
const o: DetectOptions = { asOf, from: asOf - 7 * D, bucketMs: BUCKET, baselineMs: 14 * D, sensitivity: 'medium', historyStart: T0 };
const blind: [number, number][] = [[T0 + weeks * BUCKET, T0 + (weeks + gap) * BUCKET]];

describe('buckets nobody fetched', () => {
  it('are not learnt from: no moment when fetching resumes, and the burst after the gap is found', () => {
    const starts = (opt: DetectOptions) =>
      detectMoments('Steady', series(c), opt)
        .filter((m) => m.kind === 'volume-spike')
        .map((m) => new Date(m.start).toISOString());
    expect(starts({ ...o, blind })).toEqual([new Date(T0 + burst * BUCKET).toISOString()]);
    // read as a quiet week, the zeros brought the forecast down to nothing: the first stories fetched again
    // were a moment (2026-11-02T06:00), and the burst two days later was missed
    expect(starts(o)).toEqual([new Date(T0 + (weeks + gap + 1) * BUCKET).toISOString()]);
  });

  it('keep the expected count of the buckets after it, and are marked unfetched and unjudged', () => {
    const rows = scoreBuckets(series(c), { ...o, from: T0 + (weeks - 4) * BUCKET, blind });
    const gapRows = rows.filter((r) => r.start >= blind[0]![0] && r.start < blind[0]![1]);
    expect(gapRows).toHaveLength(gap);
    expect(gapRows.every((r) => r.unfetched && !r.judged && r.volumeScore === 0)).toBe(true);
    const next = rows.find((r) => r.start === blind[0]![1])!;
    expect(next.unfetched).toBe(false);
    // the first bucket after it is expected as the same time of day was before the gap (6 at night), not near 0
    expect(next.expected).toBeGreaterThan(4);
    const plain = scoreBuckets(series(c), { ...o, from: T0 + (weeks - 4) * BUCKET }).find((r) => r.start === blind[0]![1] + 2 * BUCKET)!;
    const kept = rows.find((r) => r.start === blind[0]![1] + 2 * BUCKET)!;
    expect(kept.expected).toBeGreaterThan(plain.expected + 4);
  });

  it('longer than a week: the buckets after it are still expected (the level from before it), and judged', () => {
    // twelve days of history (a young topic: no week before the gap's weeks), then nine days nobody fetched
    const young = 12 * 4;
    const long = 9 * 4;
    const c9 = counts(young + long + 8);
    const blind9: [number, number][] = [[T0 + young * BUCKET, T0 + (young + long) * BUCKET]];
    const rows = scoreBuckets(series(c9), { ...o, asOf: T0 + c9.length * BUCKET, from: T0 + young * BUCKET, blind: blind9 });
    const after9 = rows.filter((r) => r.start >= blind9[0]![1]);
    expect(after9).toHaveLength(8);
    // the same time of day a week back is missing too: it was no forecast at all (expected 0, nothing judged)
    expect(after9.every((r) => r.judged && r.expected > 5 && r.expected < 30)).toBe(true);
  });
});
