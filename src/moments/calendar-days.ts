import { BUCKET_WIDTH, type PackedBuckets } from '../core/buckets.js';
import { zonedDate, zonedDayStart, zonedMidnight } from '../core/time.js';
import type { BucketScore } from '../detect/detect.js';

/**
 * A day-bucket timeline on the team's calendar days: the engine's day buckets are cut at the zone's
 * standard midnight (one length all year: 01:00 to 01:00 in summer), a reader of "stories per day" wants
 * midnight to midnight. Each engine row becomes the calendar day it starts in (its verdict: expected,
 * scores, moment, learning), with that day's own counts rolled up from the quarter-hour counts
 * (`quarters`, in time order), and its length (`bucketMs`): 23 or 25 hours on the days the clocks change.
 * Pure.
 */
export function onCalendarDays<R extends BucketScore & { bucketMs: number }>(rows: readonly R[], quarters: PackedBuckets, tz: string): R[] {
  const out: R[] = [];
  let k = 0;
  for (const r of rows) {
    const start = zonedDayStart(r.start, tz);
    const { year, month, day } = zonedDate(r.start, tz);
    const end = zonedMidnight(year, month, day + 1, tz);
    const sums = [0, 0, 0, 0, 0];
    while (k < quarters.length && quarters[k]! < start) k += BUCKET_WIDTH;
    for (let j = k; j < quarters.length && quarters[j]! < end; j += BUCKET_WIDTH) for (let f = 0; f < 5; f++) sums[f]! += quarters[j + 1 + f]!;
    const [count, items, scored, sentimentSum] = sums as [number, number, number, number, number];
    out.push({ ...r, start, bucketMs: end - start, count, items, scored, sentimentMean: scored > 0 ? sentimentSum / scored : null });
  }
  return out;
}
