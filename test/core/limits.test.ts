import { describe, expect, it } from 'vitest';
import {
  AUTO_BUCKET_MIN_MS,
  MAX_BUCKETS,
  MAX_LISTED_BUCKETS,
  MAX_SPAN_MS,
  baselineProblem,
  bucketsSpanned,
  windowProblem,
  type WindowRequest,
} from '../../src/core/limits.js';
import { autoBucket } from '../../src/detect/detect.js';

const M = 60_000;
const H = 3_600_000;
const D = 86_400_000;
const AS_OF = Date.UTC(2026, 10, 20, 12);

function request(over: Partial<WindowRequest> & { sinceMs?: number } = {}): WindowRequest {
  const { sinceMs = 7 * D, ...rest } = over;
  return { since: `${sinceMs / D}d`, from: AS_OF - sinceMs, asOf: AS_OF, baselineMs: 14 * D, buckets: [{ bucketMs: 6 * H, source: 'defaults.bucket' }], ...rest };
}

describe('limits: bucketsSpanned', () => {
  it.each([
    // the engine's history before the period: the baseline, at least 56 days, plus 28 days of rounding
    [7 * D, 14 * D, 6 * H, 364],
    [0, 14 * D, M, 120_960],
    [D, 0, 'auto' as const, 8_160],
    [1, 0, H, 2_017],
    [0, 60 * D, D, 88],
  ])('period %d + history for baseline %d at %s buckets → %d', (span, baseline, bucket, n) => {
    expect(bucketsSpanned(span, baseline, bucket)).toBe(n);
  });

  it('auto buckets are AUTO_BUCKET_MIN_MS for every topic', () => {
    expect(autoBucket()).toBe(AUTO_BUCKET_MIN_MS);
  });

  it('with auto buckets, the longest period and baseline allowed stay within MAX_BUCKETS', () => {
    expect(bucketsSpanned(MAX_SPAN_MS, MAX_SPAN_MS, 'auto')).toBeLessThanOrEqual(MAX_BUCKETS);
    // a timeline of 1,000 days in auto buckets can still be listed
    expect((1000 * D) / AUTO_BUCKET_MIN_MS).toBeLessThanOrEqual(MAX_LISTED_BUCKETS);
  });
});

describe('limits: windowProblem', () => {
  it.each([
    ['the default week of 6h buckets', request()],
    ['ten years of daily buckets', request({ sinceMs: MAX_SPAN_MS, buckets: [{ bucketMs: D, source: 'defaults.bucket' }] })],
    ['ten years of auto buckets with a ten-year baseline', request({ sinceMs: MAX_SPAN_MS, baselineMs: MAX_SPAN_MS, buckets: [{ bucketMs: 'auto', source: 'defaults.bucket' }] })],
    ['a month of 1m buckets', request({ sinceMs: 30 * D, buckets: [{ bucketMs: M, source: 'topics[0].bucket' }] })],
    ['69 days of 1m buckets listed', request({ sinceMs: 69 * D, buckets: [{ bucketMs: M, source: '--bucket 1m' }], maxListed: MAX_LISTED_BUCKETS })],
  ])('accepts %s', (_name, r) => {
    expect(windowProblem(r)).toBeNull();
  });

  it.each([
    ['a period of 99999999 days', request({ since: '99999999d', from: AS_OF - 99_999_999 * D }), /^--since 99999999d reaches back more than ten years/, /at most 3650d/],
    ['a period past Date range', request({ since: '999999999d', from: AS_OF - 999_999_999 * D }), /^--since 999999999d reaches back/, /3650d/],
    ['ten years and a day', request({ since: '3651d', from: AS_OF - 3651 * D }), /^--since 3651d reaches back/, /3650d/],
    ['a NaN start', request({ since: 'x', from: NaN }), /^--since x reaches back/, /3650d/],
    ['an evaluation time before 1970', request({ asOfText: '99999999d', asOf: -8e15, from: -8e15 - D }), /^--as-of 99999999d is before 1970/, /2026-11-20T12:00:00Z/],
    [
      'a topic of 1m buckets over 3000 days',
      request({ since: '3000d', sinceMs: 3000 * D, buckets: [{ bucketMs: 6 * H, source: 'defaults.bucket' }, { bucketMs: M, source: 'topics[2].bucket' }] }),
      /^--since 3000d at 1m buckets \(topics\[2\]\.bucket\) is 4,440,960 buckets with the 84d of history before it, more than the 1,000,000/,
      /shorter --since \(at most 610d at this bucket size\) or buckets of at least 5m/,
    ],
    [
      'a year of 1m buckets listed',
      request({ since: '365d', sinceMs: 365 * D, buckets: [{ bucketMs: M, source: '--bucket 1m' }], maxListed: MAX_LISTED_BUCKETS }),
      /^--since 365d at 1m buckets \(--bucket 1m\) is 525,600 buckets to list, more than the 100,000/,
      /at most 69d at this bucket size/,
    ],
    [
      'a baseline that alone is too many buckets',
      request({ since: '1d', sinceMs: D, baselineMs: 3000 * D, buckets: [{ bucketMs: M, source: '--bucket 1m' }] }),
      /^--since 1d at 1m buckets \(--bucket 1m\) is 4,361,760 buckets with the 3028d of history before it/,
      /^give buckets of at least 5m$/,
    ],
  ])('refuses %s, saying what to do', (_name, r, message, hint) => {
    const p = windowProblem(r);
    expect(p).not.toBeNull();
    expect(p!.message).toMatch(message);
    expect(p!.hint).toMatch(hint);
    expect(`${p!.message} — ${p!.hint}`).not.toContain('\n');
  });

  it('names the flag it was given as', () => {
    expect(windowProblem(request({ since: 'last', sinceFlag: '--since', from: AS_OF - 4000 * D }))!.message).toMatch(/^--since last reaches back/);
  });
});

describe('limits: baselineProblem', () => {
  it.each([
    [14 * D, 'auto' as const],
    [14 * D, M],
    [MAX_SPAN_MS, 'auto' as const],
    [MAX_SPAN_MS, H],
    [666 * D, M],
  ])('accepts a baseline of %d ms at %s buckets', (baseline, bucket) => {
    expect(baselineProblem(baseline, bucket, 'defaults.bucket')).toBeNull();
  });

  it.each([
    [99_999_999 * 7 * D, 'auto' as const, /^must be at most 3650d \(ten years\), got 699999993d$/],
    [MAX_SPAN_MS + D, D, /^must be at most 3650d/],
    [3650 * D, M, /^3650d of 1m buckets \(defaults\.bucket\) is 5,296,320 buckets, more than the 1,000,000 .*at most 666d.*at least 6m$/],
  ])('refuses a baseline of %d ms at %s buckets', (baseline, bucket, message) => {
    expect(baselineProblem(baseline, bucket, 'defaults.bucket')).toMatch(message);
  });
});
