import type { Bucket } from './types.js';

/**
 * Buckets packed in one Float64Array, six numbers each: start, count, items, scored, sentimentSum,
 * sentimentSumSq — for the hundreds of thousands a run reads and the engine goes through, without an
 * object each (and to share them with a worker thread).
 */
export type PackedBuckets = Float64Array;
export const BUCKET_WIDTH = 6;

export function packBuckets(buckets: readonly Bucket[], out = new Float64Array(buckets.length * BUCKET_WIDTH)): PackedBuckets {
  let k = 0;
  for (const b of buckets) {
    out[k++] = b.start;
    out[k++] = b.count;
    out[k++] = b.items ?? b.count;
    out[k++] = b.scored;
    out[k++] = b.sentimentSum;
    out[k++] = b.sentimentSumSq;
  }
  return out;
}

export function unpackBuckets(p: PackedBuckets): Bucket[] {
  const out: Bucket[] = [];
  for (let k = 0; k < p.length; k += BUCKET_WIDTH) {
    out.push({ start: p[k]!, count: p[k + 1]!, items: p[k + 2]!, scored: p[k + 3]!, sentimentSum: p[k + 4]!, sentimentSumSq: p[k + 5]! });
  }
  return out;
}

/**
 * Finer buckets (in time order, each within one coarser bucket: quarter hours) summed into buckets of
 * `bucketMs` cut at `shift` after the epoch's grid (core/time.ts gridShift: a team's midnight).
 */
export function regrid(fine: PackedBuckets, bucketMs: number, shift: number, out: PackedBuckets = new Float64Array(fine.length)): PackedBuckets {
  let end = 0;
  let c = -BUCKET_WIDTH;
  for (let k = 0; k < fine.length; k += BUCKET_WIDTH) {
    const start = Math.floor((fine[k]! - shift) / bucketMs) * bucketMs + shift;
    if (c < 0 || out[c] !== start) {
      c = end;
      end += BUCKET_WIDTH;
      out[c] = start;
      for (let f = 1; f < BUCKET_WIDTH; f++) out[c + f] = 0;
    }
    for (let f = 1; f < BUCKET_WIDTH; f++) out[c + f]! += fine[k + f]!;
  }
  return out.subarray(0, end);
}
