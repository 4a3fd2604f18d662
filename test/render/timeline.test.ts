import { describe, expect, it } from 'vitest';
import { plain } from '../../src/render/color.js';
import { render, type RenderContext } from '../../src/render/index.js';
import { timelineListing, type TimelineRow } from '../../src/render/timeline.js';
import { shownWidth } from '../../src/render/text.js';

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({ chalk: plain, color: false, width: 100, verbose: false, now: 0, ...over });
const HOUR = 3_600_000;
const FROM = Date.UTC(2026, 9, 21, 12);

/** A month of hourly buckets, 2 stories each, a spike in the first day and a negative shift in the last. */
function month(): TimelineRow[] {
  return Array.from({ length: 720 }, (_, i): TimelineRow => ({
    topic: 'Acme Robotics',
    bucketMs: HOUR,
    learning: false,
    start: FROM + i * HOUR,
    count: i === 5 ? 40 : 2,
    items: 2,
    scored: 2,
    expected: 2,
    volumeScore: i === 5 ? 12 : 0,
    volumeFlag: i === 5,
    volumeAlert: null,
    sentimentMean: i >= 710 ? -0.6 : 0.1,
    baselineSentiment: 0.1,
    sentimentScore: i >= 710 ? 5 : 0,
    sentimentFlag: i >= 710 ? 'negative' : null,
    sentimentAlert: null,
    sentimentWindowItems: 2,
    judged: true,
    unfetched: false,
  }));
}

describe('timeline table', () => {
  it('a chart of more buckets than columns covers the whole period, several buckets to a bar, and says how many', () => {
    const rows = month();
    const out = render('table', timelineListing(rows, { topic: 'Acme Robotics', bucketMs: HOUR, from: FROM, to: FROM + 720 * HOUR }), ctx({ width: 80 }));
    const lines = out.split('\n');
    const chart = (label: string) => lines.find((l) => l.startsWith(label))!;
    for (const l of lines) expect(shownWidth(l)).toBeLessThanOrEqual(80);
    // 720 buckets on 70 columns: 11 to a bar, 66 bars; the spike of the first day and the shift of the last both shown
    expect(chart('stories').length).toBe('stories  '.length + 66);
    expect(chart('stories')[9]).toBe('█');
    expect(chart('moments').trimEnd().slice(9)).toMatch(/^▲ +▼▼$/);
    expect(chart('tone').slice(-1)).toBe('−');
    expect(lines).toContain('         a bar is 11 buckets (11h)');
    // each bucket still has its row
    expect(lines.filter((l) => /^│ 2026-/.test(l))).toHaveLength(720);
  });

  it('a chart that fits has a bar per bucket and no note', () => {
    const rows = month().slice(0, 60);
    const out = render('table', timelineListing(rows, { topic: 'Acme Robotics', bucketMs: HOUR, from: FROM, to: FROM + 60 * HOUR }), ctx({ width: 80 }));
    expect(out.split('\n').find((l) => l.startsWith('stories'))!.length).toBe('stories  '.length + 60);
    expect(out).not.toContain('a bar is');
  });

  it('a topic with no stories yet says so, not that the period has no buckets', () => {
    const out = render('table', timelineListing([], { topic: 'Zorblax', bucketMs: HOUR, from: FROM, to: FROM + 24 * HOUR }), ctx());
    expect(out).toBe('Zorblax: 1h buckets, 2026-10-21 12:00 → 2026-10-22 12:00 UTC\nNo stories in that period: nothing fetched matches this topic, or only after it.\n');
    expect(render('json', timelineListing([], { topic: 'Zorblax', bucketMs: HOUR, from: FROM, to: FROM + 24 * HOUR }), ctx())).toBe('[]\n');
  });

  it('a long topic name is cut so that the title line fits the width', () => {
    const topic = 'Zorblax Consolidated International Holdings Group plc';
    const out = render('table', timelineListing(month(), { topic, bucketMs: HOUR, from: FROM, to: FROM + 720 * HOUR }), ctx({ width: 80 }));
    const title = out.split('\n')[0]!;
    expect(title).toBe('Zorblax Consolidated Inter…: 1h buckets, 2026-10-21 12:00 → 2026-11-20 12:00 UTC');
    expect(shownWidth(title)).toBe(80);
  });
});
