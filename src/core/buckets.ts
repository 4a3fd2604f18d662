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
