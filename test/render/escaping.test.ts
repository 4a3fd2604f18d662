import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { plain } from '../../src/render/color.js';
import { fetchListing } from '../../src/render/fetch.js';
import { render, writer, type Format, type Listing, type RenderContext } from '../../src/render/index.js';
import { itemsListing, type ItemRow } from '../../src/render/items.js';
import { momentsListing } from '../../src/render/moments.js';
import { sentimentSheet } from '../../src/render/sentiment.js';
import { runCli } from '../helpers/cli.js';
import { sampleFeedResult, sampleMoment } from '../helpers/moments.js';
import { tempDir } from '../helpers/tmp.js';

// Feed text is hostile. Whatever the listing, Markdown cannot be made to show a link, an image, emphasis or
// HTML, nor a new cell; CSV and TSV cells carry no escape sequence to the terminal that cats them.

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({ chalk: plain, color: false, width: 100, verbose: false, now: 0, ...over });

const ESC = '\x1b';
/** A headline that would be a link, an image, emphasis, HTML and two cells, and drive a terminal. */
const HOSTILE = `Acme <img src=x onerror=alert(1)> [click](http://evil.example) ![pic](http://evil.example/p.png) *bold* _em_ \`code\` ~~gone~~ a|b &amp; ${ESC}]8;;http://evil.example${ESC}\\link${ESC}]8;;${ESC}\\ ${ESC}[31mred${ESC}[0m`;

const item: ItemRow = {
  id: 1,
  title: HOSTILE,
  summary: HOSTILE,
  link: 'https://example.com/a',
  source: HOSTILE,
  sourceDomain: 'example.com',
  feedUrl: 'https://example.com/feed',
  feedKind: 'rss',
  publishedAt: Date.UTC(2026, 10, 19, 10),
  sentiment: -0.25,
  language: 'en',
  storyId: 1,
  topics: [HOSTILE],
  why: null,
  accounts: [{ id: 1, name: HOSTILE, domain: 'acme.com', matchType: 'name', confidence: 0.8 }],
};

const listings: [string, Listing<never>][] = [
  ['items', itemsListing([item], { from: 0, to: Date.UTC(2026, 10, 20) }) as unknown as Listing<never>],
  ['moments', momentsListing([sampleMoment({ topic: HOSTILE, topTerms: [HOSTILE] })], { topics: 1, from: 0, asOf: Date.UTC(2026, 10, 20, 12) }) as unknown as Listing<never>],
  ['fetch', fetchListing([sampleFeedResult({ title: HOSTILE, error: HOSTILE })]) as unknown as Listing<never>],
];

/** Markdown table cells: split on pipes that are not escaped. */
const cellsOf = (line: string) => line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());

describe('Markdown escapes feed text in every listing', () => {
  it.each(listings)('%s', (_name, listing) => {
    const out = render('markdown', listing, ctx());
    const [head, , row] = out.split('\n');
    // the hostile text stays in its cell: a row has as many cells as the header
    expect(cellsOf(row!)).toHaveLength(cellsOf(head!).length);
    expect(out).not.toContain(ESC);
    // nothing Markdown reads as markup is left unescaped (but the links of link cells, written <https://…>)
    expect(out.replace(/(?<=\| )<https?:\/\/[^\s<>|]+>(?= \|)/g, '')).not.toMatch(/(?<!\\)[[\]<>*_`~&]/);
    expect(out).toContain('Acme \\<img src=x onerror=alert(1)\\> \\[click\\](http://evil.example) !\\[pic\\](http://evil.example/p.png) \\*bold\\* \\_em\\_ \\`code\\` \\~\\~gone\\~\\~ a\\|b \\&amp;');
  });

  it('a link cell is the link as it is, <https://…>: escaped like text, GitHub\'s bare-URL link kept the backslashes and led nowhere', () => {
    const link = 'https://www.reddit.example/r/flying/comments/11edhra/stranded_in_minneapolis/?a=1&b=*2*|x';
    const out = render('markdown', itemsListing([{ ...item, title: link, link, source: 'x' }], { from: 0, to: 1 }) as unknown as Listing<never>, ctx());
    const [head, , row] = out.split('\n');
    const cells = cellsOf(row!);
    expect(cells).toHaveLength(cellsOf(head!).length);
    const autolink = '<https://www.reddit.example/r/flying/comments/11edhra/stranded_in_minneapolis/?a=1&b=*2*%7Cx>';
    expect(cells[cellsOf(head!).indexOf('link')]).toBe(autolink);
    expect(cells[cellsOf(head!).indexOf('title')]).toBe(autolink);
    // what is not a web address stays text
    const local = render('markdown', itemsListing([{ ...item, link: 'javascript:alert(1)//_x_', feedUrl: 'file:///home/me/feeds/a_b.xml' }], { from: 0, to: 1 }) as unknown as Listing<never>, ctx());
    expect(local).toContain('| javascript:alert(1)//\\_x\\_ |');
    expect(local).toContain('| file:///home/me/feeds/a\\_b.xml |');
  });
});

describe('CSV and TSV strip escape sequences from every field', () => {
  it.each(listings.flatMap(([name, l]) => (['csv', 'tsv'] as Format[]).map((f) => [name, f, l] as const)))('%s as %s', (_name, format, listing) => {
    const out = render(format, listing, ctx());
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\x07');
    expect(out).toContain('link red');
  });

  it('a streamed listing too, its header names included (sentiment passes its input fields through)', () => {
    const w = writer('csv', sentimentSheet(false), ctx({ fields: ['text', `x${ESC}[2J`] }));
    const out = w.head() + w.row({ [`x${ESC}[2J`]: HOSTILE, text: HOSTILE }) + w.end();
    expect(out).not.toContain(ESC);
    expect(out.split('\r\n')[0]).toBe('text,x');
  });
});

describe('feeds test --csv: a hostile guid reaches the terminal as plain text', () => {
  it('strips the escape sequences of the guid (kept as it is in the JSON) in CSV, TSV and Markdown', () => {
    const home = tempDir();
    const feed = path.join(home, 'hostile.json');
    // a JSON Feed carries control characters that XML cannot: the guid reaches the renderers as it is
    const guid = `g-${ESC}]8;;http://evil.example\x07x${ESC}]8;;\x07-${ESC}[31mred`;
    const item = { id: guid, title: 'Acme', url: 'https://example.com/a', date_published: '2026-11-19T10:00:00Z', content_text: 'x' };
    writeFileSync(feed, JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'Hostile', items: [item] }));
    const json = runCli(['feeds', 'test', feed, '--json'], { home });
    expect((JSON.parse(json.stdout) as { guid: string }[])[0]!.guid).toBe(guid);
    for (const format of ['csv', 'tsv', 'markdown']) {
      const r = runCli(['feeds', 'test', feed, '--format', format], { home });
      expect(r.status).toBe(0);
      expect(r.stdout).not.toContain(ESC);
      expect(r.stdout).not.toContain('\x07');
      expect(r.stdout).toMatch(/[,\t ]g-x-red[,\t ]/);
    }
  });
});
