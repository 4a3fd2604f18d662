import type { Moment } from '../core/types.js';

export interface RankedMoment extends Moment {
  rank: number;
  /** What moments are ranked by: the score plus a bonus for how widely the moment is carried. */
  attention: number;
}

/**
 * How much a moment deserves attention: its surprise (score), plus one point per doubling of the
 * distinct sources carrying it (at most 5) and two per extra kind of source (news and Reddit and Hacker
 * News rising together). A burst echoed by a single outlet gets no bonus.
 */
export function attentionOf(m: Moment): number {
  const spread = Math.min(5, Math.log2(Math.max(1, m.distinctSources)));
  const types = 2 * Math.max(0, m.sourceTypes.length - 1);
  return Math.round((m.score + spread + types) * 100) / 100;
}

/**
 * Orders moments for attention, then ongoing before finished, then the most recent, then topic name,
 * so equal inputs always give the same order.
 */
export function rankMoments(moments: Moment[], limit?: number): RankedMoment[] {
  const scored = moments.map((m) => ({ ...m, attention: attentionOf(m) }));
  scored.sort(
    (a, b) =>
      b.attention - a.attention ||
      Number(b.ongoing) - Number(a.ongoing) ||
      b.end - a.end ||
      a.topic.localeCompare(b.topic) ||
      a.kind.localeCompare(b.kind),
  );
  return scored.slice(0, limit ?? scored.length).map((m, i) => ({ ...m, rank: i + 1 }));
}
