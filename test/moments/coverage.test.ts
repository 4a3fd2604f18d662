import { describe, expect, it } from 'vitest';
import { unfetchedPeriods } from '../../src/moments/coverage.js';
import type { TopicCoverage } from '../../src/store/model.js';

const D = 86_400_000;
const T = Date.UTC(2026, 10, 1);

// two feeds of a topic, both read from T − 30d to T + 20d (their first items, their last fetches); the
// news feed brought 90 of the topic's items in the 14 days before, the wire 10
const feeds = (news: Partial<TopicCoverage['feeds'][number]> = {}, wire: Partial<TopicCoverage['feeds'][number]> = {}): TopicCoverage['feeds'] => [
  { feedId: 1, first: T - 30 * D, last: T + 20 * D, items: 90, ...news },
  { feedId: 2, first: T - 30 * D, last: T + 20 * D, items: 10, ...wire },
];

describe('unfetchedPeriods', () => {
  it.each<[string, TopicCoverage, [number, number][]]>([
    ['no fetch found only new items', { gaps: [], feeds: feeds() }, []],
    // the machine off from T to T + 7d: both feeds' first fetch after it found only new items
    ['both feeds missed a week', { gaps: [{ feedId: 1, start: T, end: T + 5 * D }, { feedId: 2, start: T, end: T + 4 * D }], feeds: feeds() }, [[T, T + 5 * D]]],
    // the feed with most of the topic's items missed days that the wire (a tenth of them) did not
    ['the main feed alone missed days', { gaps: [{ feedId: 1, start: T, end: T + 3 * D }], feeds: feeds() }, [[T, T + 3 * D]]],
    // a feed that carries a tenth of the topic missing days leaves the topic's counts nearly whole
    ['a minor feed alone missed days', { gaps: [{ feedId: 2, start: T, end: T + 3 * D }], feeds: feeds() }, []],
    // a feed removed (last fetched at T + 1d) reads nothing after: with the other's gap, the topic read nothing
    ['a feed no longer fetched', { gaps: [{ feedId: 2, start: T, end: T + 3 * D }], feeds: feeds({ last: T + D, items: 60 }, { items: 40 }) }, [[T + D, T + 3 * D]]],
    ['two gaps a month apart', { gaps: [{ feedId: 1, start: T, end: T + D }, { feedId: 1, start: T + 10 * D, end: T + 12 * D }], feeds: feeds() }, [[T, T + D], [T + 10 * D, T + 12 * D]]],
    // no items before the gap to weigh by: each feed weighs the same, and half unseen is unfetched
    ['no items to weigh by', { gaps: [{ feedId: 1, start: T, end: T + D }], feeds: feeds({ items: 0 }, { items: 0 }) }, [[T, T + D]]],
  ])('%s', (_, coverage, expected) => {
    expect(unfetchedPeriods(coverage)).toEqual(expected);
  });
});
