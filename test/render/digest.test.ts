import { describe, expect, it } from 'vitest';
import { digestSubject, safeHttpUrl, sparkline, type DigestBucket, type DigestModel, type DigestMoment } from '../../src/render/digest.js';
import { renderDigestHtml } from '../../src/render/digest-html.js';
import { renderDigestMarkdown } from '../../src/render/digest-markdown.js';
import { renderDigestText, TEXT_WIDTH } from '../../src/render/digest-text.js';
import { sampleMoment } from '../helpers/moments.js';

/**
 * The digest is guarded by golden files like the machine formats: a change must be deliberate. Review
 * the diff, then update with `npx vitest run -u test/render/digest.test.ts`.
 */
const H = 3_600_000;
const periodStart = Date.UTC(2026, 10, 19, 12);
const periodEnd = Date.UTC(2026, 10, 20, 12);
const generatedAt = Date.UTC(2026, 10, 20, 12, 3);

/** Buckets from `start`, one per count, those from index `from` on part of the moment. */
function series(start: number, counts: number[], from: number, bucketMs = 6 * H): DigestBucket[] {
  return counts.map((count, i) => ({ start: start + i * bucketMs, count, tone: null, inMoment: i >= from }));
}

function dm(over: Partial<DigestMoment>): DigestMoment {
  const base = sampleMoment();
  return { ...base, series: [], ...over };
}

const acme = dm({
  start: Date.UTC(2026, 10, 19, 18),
  peak: Date.UTC(2026, 10, 20, 0),
  end: Date.UTC(2026, 10, 20, 12),
  ongoing: true,
  firstSeenAt: Date.UTC(2026, 10, 20, 0),
  examples: [
    { title: 'Acme recalls the Glide, says "sorry"', link: 'https://www.dailyledger.example/acme-glide', source: 'Daily Ledger', publishedAt: Date.UTC(2026, 10, 20, 1), sentiment: -0.4 },
    { title: 'Glide recall megathread', link: 'https://www.reddit.example/r/gadgets/comments/abc/glide_recall/', source: 'r/gadgets', publishedAt: Date.UTC(2026, 10, 20, 2), sentiment: -0.6 },
    { title: 'Acme shares slide after recall', link: null, source: null, publishedAt: Date.UTC(2026, 10, 20, 3), sentiment: -0.3 },
  ],
  series: series(Date.UTC(2026, 10, 17, 18), [2, 1, 3, 2, 0, 2, 1, 2, 14, 41, 30, 22], 8),
});
const northwind = dm({
  topic: 'Northwind Airlines',
  id: 12,
  planned: true,
  events: [{ id: 3, topic: 'Northwind Airlines', uid: 'winter-schedule@northwind.example', start: Date.UTC(2026, 10, 19, 0), end: Date.UTC(2026, 10, 19, 12), leadMs: 0, lagMs: 6 * 3_600_000, note: 'Winter schedule change', categories: ['Northwind Airlines'], source: 'northwind.ics', createdAt: 0 }],
  kind: 'sentiment-shift',
  direction: 'negative',
  score: 12.7,
  pValue: 2e-13,
  start: Date.UTC(2026, 10, 19, 6),
  peak: Date.UTC(2026, 10, 19, 18),
  end: Date.UTC(2026, 10, 20, 12),
  ongoing: true,
  observed: 5,
  expected: 4,
  totalStories: 18,
  expectedTotal: 16,
  totalItems: 18,
  sentimentNow: -0.78,
  sentimentBaseline: 0.09,
  sentimentItems: 18,
  distinctSources: 6,
  topSources: ['Aviation Pulse', 'Metro Tribune'],
  sourceTypes: ['news'],
  topTerms: ['outage', 'stranded'],
  caveats: ['https://news.example/rss may have dropped items between 2026-11-19T06:00:00Z and 2026-11-19T12:00:00Z (during the moment): counts there may be low'],
  examples: [{ title: 'Northwind outage strands thousands, "worst day"', link: 'https://www.aviationpulse.example/northwind-outage', source: 'Aviation Pulse', publishedAt: Date.UTC(2026, 10, 19, 18), sentiment: -0.8 }],
  firstSeenAt: Date.UTC(2026, 10, 19, 8),
  series: series(Date.UTC(2026, 10, 18, 6), [4, 5, 3, 4, 5, 4, 6, 5], 4),
});
const globex = dm({
  topic: 'Globex',
  kind: 'volume-spike',
  score: 6.2,
  pValue: 6.3e-7,
  start: Date.UTC(2026, 10, 18, 18),
  peak: Date.UTC(2026, 10, 19, 0),
  end: Date.UTC(2026, 10, 19, 12),
  observed: 19,
  expected: 7.5,
  totalStories: 31,
  expectedTotal: 15,
  totalItems: 40,
  sentimentNow: 0.31,
  sentimentBaseline: 0.1,
  sentimentItems: 31,
  distinctSources: 4,
  topSources: ['Metro Tribune'],
  sourceTypes: ['news', 'web'],
  topTerms: ['merger'],
  examples: [{ title: 'Globex agrees merger with Initrode', link: 'https://www.metrotribune.example/globex-merger', source: 'Metro Tribune', publishedAt: Date.UTC(2026, 10, 19), sentiment: 0.5 }],
  firstSeenAt: Date.UTC(2026, 10, 18, 20),
  series: series(Date.UTC(2026, 10, 18, 6), [7, 8, 19, 15, 6, 7], 2),
});

const busy: DigestModel = {
  periodStart,
  periodEnd,
  topics: ['Acme Robotics', 'Northwind Airlines', 'Globex', 'Initech'],
  new: [acme],
  ongoing: [northwind],
  faded: [globex],
  generatedAt,
};
const quiet: DigestModel = { ...busy, new: [], ongoing: [], faded: [] };

describe('digest golden files', () => {
  it('text', async () => {
    await expect(renderDigestText(busy)).toMatchFileSnapshot('../golden/digest.txt');
  });
  it('markdown', async () => {
    await expect(renderDigestMarkdown(busy)).toMatchFileSnapshot('../golden/digest.md');
  });
  it('html', async () => {
    await expect(renderDigestHtml(busy)).toMatchFileSnapshot('../golden/digest.html');
  });
  it('text on a quiet day', async () => {
    const text = renderDigestText(quiet);
    expect(text.replace(/\s+/g, ' ')).toContain('Quiet day: no moments across 4 topics between 2026-11-19 12:00 and 2026-11-20 12:00 UTC.');
    await expect(text).toMatchFileSnapshot('../golden/digest-quiet.txt');
  });
  it('html on a quiet day says so', () => {
    expect(renderDigestHtml(quiet)).toContain('Quiet day: no moments across 4 topics');
  });
});

describe('digest text', () => {
  it('keeps lines to 78 characters (a link too long for a line stands alone, unbroken)', () => {
    const long = dm({ topTerms: Array.from({ length: 30 }, (_, i) => `term${i}`), examples: [{ ...acme.examples[0]!, title: 'word '.repeat(40), link: `https://x.example/${'a'.repeat(120)}` }] });
    const text = renderDigestText({ ...busy, new: [long] });
    for (const line of text.split('\n')) {
      if (/^\s*https?:\/\/\S+$/.test(line)) continue;
      expect(line.length, line).toBeLessThanOrEqual(TEXT_WIDTH);
    }
    expect(text).toContain(`\nhttps://x.example/${'a'.repeat(120)}\n`);
  });

  it('breaks a word longer than a line that is not a link (500 letters, a headline in Chinese) over lines', () => {
    const long = dm({ topTerms: ['w'.repeat(200)], examples: [`Acme ${'A'.repeat(500)}`, `Acme${'機器人吸塵器召回'.repeat(12)}`].map((title) => ({ ...acme.examples[0]!, title, link: null })) });
    const text = renderDigestText({ ...busy, new: [long] });
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(TEXT_WIDTH);
    expect(text.replace(/\s+/g, '')).toContain(`Acme${'A'.repeat(500)}`);
    expect(text.replace(/\s+/g, '')).toContain('機器人吸塵器召回'.repeat(12));
  });

  it('has each moment with its explanation and example links, in sections', () => {
    const text = renderDigestText(busy);
    expect(text).toMatch(/NEW MOMENTS[\s\S]*Acme Robotics[\s\S]*STILL ONGOING[\s\S]*Northwind Airlines[\s\S]*FADED[\s\S]*Globex/);
    expect(text).toContain('41 stories in the peak 6h vs 2.1 expected');
    expect(text).toContain('-0.78 now vs +0.09 before');
    expect(text).toContain('https://www.dailyledger.example/acme-glide');
    expect(text).not.toMatch(/\x1b/);
  });

  it('says one story in the singular: in the peak and in the tone', () => {
    const one = dm({ observed: 1, totalStories: 1, totalItems: 1, expected: 0.2, expectedTotal: 0.4, sentimentItems: 1 });
    const text = renderDigestText({ ...busy, new: [one] }).replace(/\s+/g, ' ');
    expect(text).toContain('1 story in the peak 6h vs 0.2 expected (5.0×); 1 over the moment vs 0.4');
    expect(text).toContain('(1 story scored)');
    expect(text).not.toMatch(/\b1 stories\b/);
  });
});

describe('digest: what could not be judged', () => {
  const empty: DigestModel = { ...quiet, itemsStored: false, learning: [{ topic: 'Acme Robotics', until: null }] };
  const learning: DigestModel = { ...busy, itemsStored: true, learning: [{ topic: 'Initech', until: Date.UTC(2026, 10, 23) }, { topic: 'Umbrella', until: null }] };

  it('with no items stored, says there was nothing to judge and how to fetch, instead of a quiet day', () => {
    for (const out of [renderDigestText(empty), renderDigestMarkdown(empty), renderDigestHtml(empty)]) {
      expect(out).toContain('Nothing to judge: no items are stored yet');
      expect(out).toMatch(/momentscan\s+fetch/);
      expect(out).not.toContain('Quiet day');
      expect(out).not.toContain('still learning');
    }
    expect(digestSubject(empty)).toBe('momentscan: nothing to judge yet (4 topics)');
  });

  it('lists the topics still learning, and until when, in every format', () => {
    const text = renderDigestText(learning);
    expect(text).toContain('\nInitech: still learning until 2026-11-23 00:00 UTC.\nUmbrella: no items yet, nothing to judge.\n');
    expect(renderDigestMarkdown(learning)).toContain('\n- Initech: still learning until 2026-11-23 00:00 UTC.\n- Umbrella: no items yet, nothing to judge.\n');
    expect(renderDigestHtml(learning)).toContain('>Initech: still learning until 2026-11-23 00:00 UTC.</p>');
    expect(renderDigestText({ ...quiet, learning: learning.learning })).toMatch(/Quiet day[\s\S]*Initech: still learning until/);
  });
});

describe('digest subject', () => {
  it.each([
    [busy, 'momentscan: 1 new moment, 1 ongoing, 1 faded — Acme Robotics spike'],
    [{ ...busy, new: [acme, { ...globex, firstSeenAt: periodEnd }], faded: [] }, 'momentscan: 2 new moments, 1 ongoing — Acme Robotics spike'],
    [{ ...busy, new: [], faded: [] }, 'momentscan: 1 ongoing moment — Northwind Airlines negative tone'],
    [{ ...busy, new: [], ongoing: [] }, 'momentscan: 1 faded moment — Globex spike'],
    [quiet, 'momentscan: quiet day (4 topics)'],
    [{ ...quiet, topics: ['Acme'] }, 'momentscan: quiet day (1 topic)'],
    // a stopped fetch: since when, on the team's clock and named (a bare 12:00 read as local time is an hour off)
    [{ ...quiet, notFetchedSince: Date.UTC(2026, 10, 20, 12) }, 'momentscan: nothing fetched since 2026-11-20 12:00 UTC (4 topics)'],
    [{ ...quiet, notFetchedSince: Date.UTC(2026, 10, 20, 12), timeZone: 'Europe/Amsterdam' }, 'momentscan: nothing fetched since 2026-11-20 13:00 CET (4 topics)'],
  ])('%#: %s', (model, subject) => {
    expect(digestSubject(model as DigestModel)).toBe(subject);
  });

  it('takes a prefix, and never carries a line break from feed text', () => {
    const evil = { ...busy, new: [dm({ topic: 'Acme\r\nBcc: victim@example.com' })] };
    const s = digestSubject(evil, '[news]');
    expect(s.startsWith('[news]: 1 new moment')).toBe(true);
    expect(s).not.toMatch(/[\r\n]/);
  });
});

describe('digest escaping: feed text is hostile', () => {
  const evil = dm({
    topic: 'Acme <b>bold</b>',
    topSources: ['"><img src=x onerror=alert(1)>'],
    topTerms: ['](javascript:alert(1))', '*star*'],
    examples: [
      { title: '<script>alert("x")</script> & friends', link: 'javascript:alert(document.cookie)', source: "O'Reilly <i>", publishedAt: 0, sentiment: null },
      { title: 'Data URL [click](javascript:alert(1))', link: 'data:text/html,<script>alert(1)</script>', source: null, publishedAt: 0, sentiment: null },
      { title: 'Plain \x1b[31mred\x1b[0m title', link: 'https://ok.example/a?b=1&c="2"', source: null, publishedAt: 0, sentiment: null },
    ],
    series: series(0, [1, 5, 2], 1),
  });
  const model: DigestModel = { ...busy, new: [evil], ongoing: [], faded: [] };

  it('html escapes every piece of feed text and links only http(s)', () => {
    const html = renderDigestHtml(model);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<b>|<i>/);
    expect(html).not.toMatch(/javascript:alert\(document/);
    expect(html).not.toMatch(/href="(?!https?:)/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; friends');
    expect(html).toContain('Acme &lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('O&#39;Reilly &lt;i&gt;');
    expect(html).toContain('href="https://ok.example/a?b=1&amp;c=%222%22"');
    expect(html).not.toMatch(/\x1b/);
  });

  it('html: a word longer than the message is wide may break, inside the block of its moment', () => {
    const word = 'A'.repeat(500);
    const html = renderDigestHtml({ ...busy, new: [dm({ topTerms: [word], examples: [{ ...acme.examples[0]!, title: `Acme ${word}` }] })], ongoing: [], faded: [] });
    const block = html.match(/<td style="[^"]*overflow-wrap:anywhere;[^"]*">[\s\S]*?\n<\/td><\/tr>\n<\/table>/)?.[0] ?? '';
    expect(block).toContain(`Acme ${word}</a>`);
    expect(block).toContain(`>${word}</td>`);
  });

  it('html is email-safe: inline styles only, no stylesheet, image, script or external resource', () => {
    const html = renderDigestHtml(busy);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toMatch(/<\/html>\n$/);
    expect(html).not.toMatch(/<style|<link|<img|<script|class=|src=|url\(/i);
    // a chart per moment, drawn with table cells, with a text alternative
    expect(html.match(/role="img" aria-label="Stories per 6h bucket/g)).toHaveLength(3);
    for (const href of html.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^https?:\/\//);
  });

  it('markdown escapes markup and links only http(s)', () => {
    const out = renderDigestMarkdown(model);
    expect(out).not.toMatch(/[^\\]\]\((<)?javascript:/); // only escaped brackets before it
    expect(out).not.toContain('(<javascript:');
    expect(out).not.toContain('(<data:');
    expect(out).not.toMatch(/(^|[^\\(])</m); // every < escaped (but our own link destinations, "](<"): no HTML gets through
    expect(out).toContain('\\<script\\>');
    expect(out).toContain('\\*star\\*');
    expect(out).toContain('[Plain red title](<https://ok.example/a?b=1&c=%222%22>)');
  });

  it('markdown: a headline that starts like a heading, a list, a rule or a numbered list stays the text of its list item', () => {
    const starts = dm({
      examples: ['1986. A great year for Acme', '# Breaking: Acme recall', '- Acme, in brief', '---', '2) Acme again'].map((title) => ({ title, link: null, source: null, publishedAt: 0, sentiment: null })),
      series: series(0, [1, 5, 2], 1),
    });
    const out = renderDigestMarkdown({ ...busy, new: [starts], ongoing: [], faded: [] });
    // each would otherwise be a nested list (starting at 1986), a heading, a list or a rule inside the item
    expect(out).toContain('\n1. 1986\\. A great year for Acme\n2. \\# Breaking: Acme recall\n3. \\- Acme, in brief\n');
    const linked = renderDigestMarkdown({ ...busy, new: [dm({ examples: [{ title: '---', link: 'https://a.example/', source: null, publishedAt: 0, sentiment: null }] })], ongoing: [], faded: [] });
    expect(linked).toContain('\n1. [\\---](<https://a.example/>)\n');
  });

  it('text shows no javascript: or data: links and no terminal escapes', () => {
    const text = renderDigestText(model);
    expect(text).not.toMatch(/^\s*(javascript|data):/m);
    expect(text).not.toMatch(/\x1b/);
    expect(text).toContain('Plain red title');
  });

  it.each([
    ['https://a.example/x', 'https://a.example/x'],
    ['http://a.example', 'http://a.example/'],
    [' https://a.example/x ', 'https://a.example/x'],
    ['javascript:alert(1)', null],
    ['JaVaScRiPt:alert(1)', null],
    ['data:text/html,x', null],
    ['vbscript:x', null],
    ['//a.example/x', null],
    ['file:///etc/passwd', null],
    // a link made to look like another site's, or carrying a feed's credentials: to the host, without them
    ['https://accounts.example.com@evil.example/login', 'https://evil.example/login'],
    ['http://user:pass@intranet.example/build/1', 'http://intranet.example/build/1'],
    ['', null],
    [null, null],
  ])('safeHttpUrl(%j) = %j', (link, expected) => {
    expect(safeHttpUrl(link)).toBe(expected);
  });
});

describe('sparkline', () => {
  it('scales bars to the highest bucket and marks the moment', () => {
    expect(sparkline(series(0, [0, 1, 4, 8], 2))).toEqual({ bars: '▁▂▅█', marks: '  ^^' });
  });
  it('has nothing to draw for an empty or flat-zero series', () => {
    expect(sparkline([])).toBeNull();
    expect(sparkline(series(0, [0, 0, 0], 1))).toBeNull();
  });
});
