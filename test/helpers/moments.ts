import type { MomentRow } from '../../src/render/moments.js';

const H = 3_600_000;
const T = Date.UTC(2026, 10, 18, 12);

/** A fully explained moment for rendering tests. */
export function sampleMoment(over: Partial<MomentRow> = {}): MomentRow {
  return {
    id: 7,
    planned: false,
    events: [],
    label: null,
    rank: 1,
    attention: 28.99,
    topic: 'Acme Robotics',
    kind: 'volume-spike',
    direction: 'up',
    score: 23.41,
    pValue: 3.9e-24,
    start: T,
    peak: T + 6 * H,
    end: T + 18 * H,
    bucketMs: 6 * H,
    ongoing: false,
    stage: 'fading',
    firedAt: T + 6 * H,
    alerts: 2,
    alertedAt: T + 12 * H,
    storySeries: [2, 1, 3, 2, 30, 41, 12],
    hoursSinceOnset: 48,
    growth: 0.4,
    observed: 41,
    expected: 2.13,
    totalStories: 52,
    expectedTotal: 6.4,
    totalItems: 70,
    sentimentNow: -0.12,
    sentimentBaseline: 0.08,
    sentimentItems: 70,
    distinctSources: 12,
    topSources: ['Daily Ledger', 'r/gadgets'],
    sourceTypes: ['news', 'reddit'],
    topTerms: ['glide', 'recall'],
    examples: [
      { title: 'Acme recalls the Glide, says "sorry"', link: 'https://www.dailyledger.example/acme-glide', source: 'Daily Ledger', publishedAt: T + 7 * H, sentiment: -0.4 },
    ],
    caveats: [],
    firstSeenAt: T + 20 * H,
    ...over,
  };
}

import type { FeedResult } from '../../src/ingest/types.js';

/** A fetch result for rendering tests. */
export function sampleFeedResult(over: Partial<FeedResult> = {}): FeedResult {
  return {
    url: 'https://news.example/rss',
    fetchUrl: 'https://news.example/rss',
    title: 'News',
    status: 'ok',
    httpStatus: 200,
    itemsSeen: 50,
    itemsNew: 12,
    bytes: 20480,
    durationMs: 140,
    error: null,
    attempts: 1,
    consecutiveFailures: 0,
    overflow: false,
    notice: null,
    nextDueAt: Date.UTC(2026, 10, 20, 12, 15),
    fetchedAt: Date.UTC(2026, 10, 20, 12),
    ...over,
  };
}
