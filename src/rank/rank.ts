import type { Moment } from '../core/types.js';

export interface RankedMoment extends Moment {
  rank: number;
  /** What moments are ranked by: the score plus a bonus for how widely the moment is carried. */
  attention: number;
}

/**
 * How much a moment deserves attention: its surprise (score), plus one point per doubling of the
 * distinct sources carrying it (at most 5) and two per extra kind of source (news and Reddit and Hacker
 * News rising together). A burst echoed by a single outlet gets no bonus. A moment involving known
 * accounts gains rank.accountsWeight points, times the confidence of its surest account match.
 */
export function attentionOf(m: Moment, o: RankOptions = {}): number {
  const spread = Math.min(5, Math.log2(Math.max(1, m.distinctSources)));
  const types = 2 * Math.max(0, m.sourceTypes.length - 1);
  return Math.round((m.score + spread + types + accountsBonus(m, o.accountsWeight ?? 0)) * 100) / 100;
}

export interface RankOptions {
  /** rank.accountsWeight: points for involving a known account, times its strongest match's confidence. */
  accountsWeight?: number;
}

/** A moment involving known accounts: the weight times the confidence of the surest match among them. */
export function accountsBonus(m: Moment, weight: number): number {
  if (!weight || !m.accounts?.length) return 0;
  return weight * Math.max(...m.accounts.map((a) => a.confidence));
}

/**
 * Orders moments for attention, then ongoing before finished, then the most recent, then topic name,
 * so equal inputs always give the same order.
 */
export function rankMoments(moments: Moment[], limit?: number, o: RankOptions = {}): RankedMoment[] {
  const scored = moments.map((m) => ({ ...m, attention: attentionOf(m, o) }));
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
