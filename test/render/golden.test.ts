import { describe, expect, it } from 'vitest';
import { plain } from '../../src/render/color.js';
import { fetchListing } from '../../src/render/fetch.js';
import type { FeedResult } from '../../src/ingest/types.js';
import { FORMATS, render, type RenderContext } from '../../src/render/index.js';
import { momentsListing } from '../../src/render/moments.js';
import { sampleFeedResult, sampleMoment } from '../helpers/moments.js';

/**
 * Golden files: the machine formats are a contract (README, "JSON fields"). A change here must be a
 * deliberate one: review the diff, then update with `npx vitest run -u`.
 */
const ctx: RenderContext = { chalk: plain, color: false, width: 100, verbose: false, now: 0 };
const meta = { topics: 4, from: Date.UTC(2026, 10, 13, 12), asOf: Date.UTC(2026, 10, 20, 12) };
const moments = [
  sampleMoment(),
  sampleMoment({
    rank: 2,
    topic: 'Northwind Airlines',
    id: 12,
    label: { verdict: 'real', note: 'customers noticed', at: Date.UTC(2026, 10, 20, 9) },
    planned: true,
    events: [{ id: 3, topic: 'Northwind Airlines', uid: 'winter-schedule@northwind.example', start: Date.UTC(2026, 10, 19, 0), end: Date.UTC(2026, 10, 19, 12), leadMs: 0, lagMs: 6 * 3_600_000, note: 'Winter schedule change', categories: ['Northwind Airlines'], source: 'northwind.ics', createdAt: 0 }],
    kind: 'sentiment-shift',
    direction: 'negative',
    score: 12.7,
    pValue: 2e-13,
    ongoing: true,
    stage: 'rising',
    hoursSinceOnset: 24,
    growth: 1.5,
    observed: 5,
    expected: 4,
    sentimentNow: -0.78,
    sentimentBaseline: 0.09,
    topTerms: ['outage', 'stranded'],
    caveats: ['https://news.example/rss may have dropped items between 2026-11-19T06:00:00Z and 2026-11-19T12:00:00Z (in its baseline): counts there may be low'],
    examples: [{ title: 'Northwind outage strands thousands, "worst day"', link: null, source: null, publishedAt: Date.UTC(2026, 10, 19, 18), sentiment: -0.8 }],
  }),
];
const ext: Record<string, string> = { table: 'txt', json: 'json', ndjson: 'ndjson', csv: 'csv', tsv: 'tsv', markdown: 'md' };

describe('golden output', () => {
  it.each(FORMATS)('moments as %s', async (format) => {
    await expect(render(format, momentsListing(moments, meta), ctx)).toMatchFileSnapshot(`../golden/moments.${ext[format]}`);
  });

  it('moments table with explanations (-v)', async () => {
    await expect(render('table', momentsListing(moments, meta), { ...ctx, verbose: true })).toMatchFileSnapshot('../golden/moments-verbose.txt');
  });

  it.each(['json', 'csv'] as const)('fetch results as %s', async (format) => {
    const feeds: FeedResult[] = [
      sampleFeedResult(),
      sampleFeedResult({
        url: 'https://down.example/rss', fetchUrl: 'https://down.example/rss', title: null, status: 'failed', httpStatus: 503, itemsSeen: 0, itemsNew: 0,
        bytes: 0, durationMs: 30, attempts: 3, consecutiveFailures: 4, error: 'HTTP 503 Service Unavailable', nextDueAt: null,
      }),
      sampleFeedResult({ url: 'file:///feeds/local.xml', fetchUrl: 'file:///feeds/local.xml', status: 'skipped', attempts: 0, itemsSeen: 0, itemsNew: 0, httpStatus: null, notice: 'not due until 2026-11-20T12:15:00Z' }),
    ];
    await expect(render(format, fetchListing(feeds), ctx)).toMatchFileSnapshot(`../golden/fetch.${ext[format]}`);
  });
});
