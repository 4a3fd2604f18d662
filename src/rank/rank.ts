import type { Moment } from '../core/types.js';

export interface RankedMoment extends Moment {
  rank: number;
}

/**
 * Orders moments for attention: by score (surprise), then ongoing before finished, then the most
 * recent, then topic name, so equal inputs always give the same order.
 */
export function rankMoments(moments: Moment[], limit?: number): RankedMoment[] {
  const sorted = [...moments].sort(
    (a, b) =>
      b.score - a.score ||
      Number(b.ongoing) - Number(a.ongoing) ||
      b.end - a.end ||
      a.topic.localeCompare(b.topic) ||
      a.kind.localeCompare(b.kind),
  );
  return sorted.slice(0, limit ?? sorted.length).map((m, i) => ({ ...m, rank: i + 1 }));
}
