import { accountsListing } from '../../src/render/accounts.js';
import { describe, expect, it } from 'vitest';
import { stripControl } from '../../src/core/text.js';
import { Chalk } from 'chalk';
import { colorEnabled, decideColor, plain } from '../../src/render/color.js';
import { neutralize } from '../../src/render/formats/csv.js';
import { render, type RenderContext } from '../../src/render/index.js';
import { feedHealthListing, type FeedHealthRow } from '../../src/render/feeds.js';
import { fetchListing, fetchSummaryLine } from '../../src/render/fetch.js';
import { eventsListing, qualityListing } from '../../src/render/feedback.js';
import type { PlannedEvent } from '../../src/store/model.js';
import { renderStatus, type Status } from '../../src/render/status.js';
import { itemsListing, type ItemRow } from '../../src/render/items.js';
import { momentsListing, readinessNotes } from '../../src/render/moments.js';
import { testItemsListing } from '../../src/render/feeds.js';
import { topicsListing } from '../../src/render/topics.js';
import { timelineListing, type TimelineRow } from '../../src/render/timeline.js';
import { deliveriesListing, silencesListing, type DeliveryRow } from '../../src/render/notify.js';
import type { MomentRow, TopicRow } from '../../src/moments/types.js';
import { NB, shownWidth, textWidth, wrap } from '../../src/render/text.js';
import type { EnrichedItem } from '../../src/core/types.js';
import { sampleFeedResult, sampleMoment } from '../helpers/moments.js';

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({ chalk: plain, color: false, width: 100, verbose: false, now: 0, ...over });
const meta = { topics: 3, from: Date.UTC(2026, 10, 13, 12), asOf: Date.UTC(2026, 10, 20, 12) };

describe('rendering moments', () => {
  it('JSON is [] when there is nothing', () => {
    expect(render('json', momentsListing([], meta), ctx())).toBe('[]\n');
    expect(render('ndjson', momentsListing([], meta), ctx())).toBe('');
  });

  it('JSON carries ISO-8601 UTC times, numbers as numbers and camelCase keys', () => {
    const [m] = JSON.parse(render('json', momentsListing([sampleMoment()], meta), ctx()));
    expect(m).toMatchObject({
      rank: 1,
      topic: 'Acme Robotics',
      kind: 'volume-spike',
      score: 23.41,
      start: '2026-11-18T12:00:00Z',
      end: '2026-11-19T06:00:00Z',
      bucket: '6h',
      observed: 41,
      expected: 2.13,
      ratio: 19.2,
      distinctSources: 12,
      examples: [{ publishedAt: '2026-11-18T19:00:00Z', link: 'https://www.dailyledger.example/acme-glide' }],
    });
  });

  it('NDJSON is one parseable object per line', () => {
    const out = render('ndjson', momentsListing([sampleMoment(), sampleMoment({ rank: 2, topic: 'Globex' })], meta), ctx());
    const lines = out.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).topic)).toEqual(['Acme Robotics', 'Globex']);
  });

  it('CSV quotes per RFC 4180 and neutralises formula cells but not negative numbers', () => {
    const out = render('csv', momentsListing([sampleMoment({ topic: '=HYPERLINK("x")', sentimentNow: -0.12 })], meta), ctx());
    const [header, row] = out.split('\r\n');
    expect(header!.split(',')).toContain('sentimentNow');
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain(',-0.12,');
    expect(row).toContain('"Acme recalls the Glide, says ""sorry"""');
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+cmd', "'+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['plain', 'plain'],
  ])('neutralize(%j) → %j', (cell, want) => {
    expect(neutralize(cell)).toBe(want);
  });

  it('the table has no ANSI codes when colour is off, and shows the moment', () => {
    const out = render('table', momentsListing([sampleMoment()], meta), ctx());
    expect(out).not.toMatch(/\x1b\[/);
    expect(out).toContain('Acme Robotics');
    expect(out).toContain('▲ spike');
    expect(out).toContain('▁▁▂▁▆█▃'); // the volume sparkline of 2, 1, 3, 2, 30, 41, 12
    expect(Math.max(...out.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it('the table is coloured when colour is on', async () => {
    const out = render('table', momentsListing([sampleMoment()], meta), ctx(await decideColor({ flag: undefined, env: { FORCE_COLOR: '1' }, isTTY: false })));
    expect(out).toMatch(/\x1b\[/);
  });

  it('feed text cannot drive the terminal: escape sequences are stripped from tables', () => {
    const evil = sampleMoment({ examples: [{ title: 'Hi\x1b]0;pwned\x07 \x1b[31mred\x1b[0m there', link: null, source: null, publishedAt: 0, sentiment: 0 }] });
    const out = render('table', momentsListing([evil], meta), ctx({ verbose: true }));
    expect(out).not.toContain('\x1b');
    expect(out).toContain('Hi red there');
  });

  it('-v explains each moment: observed vs expected, tone, sources, terms, examples with links', () => {
    // (each fact wrapped to the terminal under its label: joined again here)
    const out = render('table', momentsListing([sampleMoment()], meta), ctx({ verbose: true })).replace(/\n {13}(?!https?:)/g, ' ');
    expect(out).toContain('41 stories in the peak bucket vs 2.1 expected; 52 over the moment vs 6.4 (70 items with copies: echo 1.3)');
    expect(out).toContain('12 distinct: Daily Ledger, r/gadgets (news, reddit)');
    expect(out).toContain('terms:    glide, recall');
    expect(out).toContain('https://www.dailyledger.example/acme-glide');
  });

  it('-v at 80 columns never leaves a number alone on a line: "moment 2" stays together, printed with a plain space', () => {
    // '…(p ≈ 2.8e-7), moment' ended the line and '2' stood alone on the next (the wrap broke at the no-break space)
    const m = sampleMoment({ id: 2, rank: 2, topic: 'Northwind Airlines', kind: 'sentiment-shift', direction: 'negative', score: 6.5, pValue: 2.8e-7 });
    const out = render('table', momentsListing([m], meta), ctx({ verbose: true, width: 80 }));
    expect(out).toContain('\n#2 Northwind Airlines: negative sentiment shift, score 6.5 (p ≈ 2.8e-7),\n   moment 2\n');
    for (const l of out.split('\n')) expect(l, l).not.toMatch(/^\s*[\d.]+$/);
    expect(out).not.toContain(NB);
  });

  it('-v says what "fading" and the growth of its bucket mean: over, and its own last bucket (not the latest) against the one before', () => {
    // 'fading, 48h since onset, latest bucket ×2.5 the one before' read as a contradiction: the bucket was the moment's last, a day and a half before
    const fading = sampleMoment({ stage: 'fading', ongoing: false, growth: 2.5, start: Date.parse('2026-11-18T12:00:00Z'), end: Date.parse('2026-11-19T18:00:00Z') });
    const out = render('table', momentsListing([fading], meta), ctx({ verbose: true })).replace(/\n {13}(?!https?:)/g, ' ');
    expect(out).toContain('6h buckets; fading: over, not flagged after 2026-11-19 18:00 UTC, 48h since onset; its last bucket had 2.5 times the stories of the one before');
    expect(out).not.toContain('latest bucket');
    const ongoing = render('table', momentsListing([sampleMoment({ stage: 'peaked', ongoing: true, growth: 0.76 })], meta), ctx({ verbose: true })).replace(/\n {13}(?!https?:)/g, ' ');
    expect(ongoing).toContain('peaked: still going, past its strongest, 48h since onset; its latest bucket had 0.76 times the stories of the one before');
  });

  it.each([
    ['a no-break space joins', `a moment${NB}2`, 8, ['a', 'moment 2']],
    ['a narrow no-break space too', 'about 5\u202fkm away', 7, ['about', '5 km', 'away']],
    ['an ordinary space breaks', 'moment 2', 7, ['moment', '2']],
  ])('wrap: %s', (_name, text, width, lines) => {
    expect(wrap(text, width, '', '')).toEqual(lines);
  });

  it('-v counts stories, as stories, in the singular for one', () => {
    const one = render('table', momentsListing([sampleMoment({ observed: 1, sentimentItems: 1 })], meta), ctx({ verbose: true })).replace(/\n {13}(?!https?:)/g, ' ');
    expect(one).toContain('1 story in the peak bucket vs');
    expect(one).toContain('baseline (1 story scored)');
    const many = render('table', momentsListing([sampleMoment({ sentimentItems: 70 })], meta), ctx({ verbose: true })).replace(/\n {13}(?!https?:)/g, ' ');
    expect(many).toContain('baseline (70 stories scored)');
    expect(many).not.toContain('items scored');
  });

  it('an empty table says so in words', () => {
    expect(render('table', momentsListing([], meta), ctx())).toBe('No moments from 2026-11-13 12:00 UTC to 2026-11-20 12:00 UTC across 3 topics.\n');
  });

  it('says when nothing is stored, so nothing could be judged; JSON stays []', () => {
    const empty = { ...meta, itemsStored: false, learning: [{ topic: 'Acme', until: null }] };
    const table = render('table', momentsListing([], empty), ctx());
    // the explanation alone: no "No moments …" line first, as if the topics had been judged
    expect(table).toMatch(/^No items are stored yet, so there is nothing to judge — .*`momentscan fetch`[^\n]*\.\n$/);
    expect(table).not.toContain('Acme');
    expect(render('json', momentsListing([], empty), ctx())).toBe('[]\n');
    expect(readinessNotes(empty)).toEqual([{ level: 'warning', text: expect.stringContaining('momentscan fetch') }]);
  });

  it('names the topics still learning, and until when, under the table or the empty line', () => {
    const learning = { ...meta, itemsStored: true, learning: [{ topic: 'Acme', until: Date.UTC(2026, 10, 23) }, { topic: 'Glo\u001bbex', until: null }] };
    const lines = ['Acme: still learning until 2026-11-23 00:00 UTC.', 'Globex: no items yet, nothing to judge.'];
    expect(render('table', momentsListing([], learning), ctx()).trimEnd().split('\n').slice(1)).toEqual(lines);
    expect(render('table', momentsListing([sampleMoment({ topic: 'Northwind' })], learning), ctx()).trimEnd().split('\n').slice(-2)).toEqual(lines);
    expect(readinessNotes(learning).map((n) => n.level)).toEqual(['note', 'note']);
    expect(readinessNotes({ ...meta, itemsStored: true, learning: [] })).toEqual([]);
  });
});

describe('colour decision', () => {
  it.each([
    [{ flag: false, env: {}, isTTY: true }, false],
    [{ flag: undefined, env: { NO_COLOR: '1' }, isTTY: true }, false],
    [{ flag: undefined, env: { NO_COLOR: '1', FORCE_COLOR: '1' }, isTTY: true }, false],
    [{ flag: undefined, env: { FORCE_COLOR: '1' }, isTTY: false }, true],
    [{ flag: undefined, env: { TERM: 'dumb' }, isTTY: true }, false],
    [{ flag: undefined, env: {}, isTTY: false }, false],
    [{ flag: undefined, env: {}, isTTY: true }, true],
  ])('%j → %s', (inputs, want) => {
    expect(colorEnabled(inputs)).toBe(want);
  });

  it('without colour the renderers write what chalk writes at level 0, without loading chalk', async () => {
    const { enabled, chalk } = await decideColor({ flag: false, env: {}, isTTY: true });
    expect(enabled).toBe(false);
    expect(chalk).toBe(plain);
    const level0 = new Chalk({ level: 0 });
    const styles = ['red', 'green', 'yellow', 'cyan', 'dim', 'bold'] as const;
    for (const style of styles) {
      for (const args of [['text'], [0.25], ['a', 'b'], [], ['two\nlines'], ['']] as unknown[][]) {
        expect((plain[style] as (...a: unknown[]) => string)(...args)).toBe((level0[style] as (...a: unknown[]) => string)(...args));
      }
    }
    expect(plain.bold.red('x')).toBe(level0.bold.red('x'));
    expect(plain('x', 1)).toBe(level0('x', 1));
    expect(plain.level).toBe(0);
  });

  it('with colour, chalk at level 1', async () => {
    const { enabled, chalk } = await decideColor({ flag: undefined, env: { FORCE_COLOR: '1' }, isTTY: false });
    expect(enabled).toBe(true);
    expect(chalk.level).toBe(1);
    expect(chalk.red('x')).toBe('\x1b[31mx\x1b[39m');
  });
});

describe('stripControl', () => {
  it.each([
    ['a\x1b[2Jb', 'ab'],
    ['a\x1b]8;;http://x\x07link\x1b]8;;\x07b', 'alinkb'],
    ['tab\tand\r\nnewline', 'tab and newline'],
    ['right\u202eleft', 'rightleft'],
    ['Zürich ✓', 'Zürich ✓'],
  ])('%j → %j', (input, want) => {
    expect(stripControl(input)).toBe(want);
  });
});

describe('--fields, --no-headers and schemaVersion', () => {
  const two = [sampleMoment(), sampleMoment({ rank: 2, topic: 'Globex' })];

  it('JSON records carry schemaVersion first, then only the fields asked for, in that order', () => {
    const out = JSON.parse(render('json', momentsListing(two, meta), ctx({ fields: ['score', 'topic'] })));
    expect(out).toEqual([
      { schemaVersion: 1, score: 23.41, topic: 'Acme Robotics' },
      { schemaVersion: 1, score: 23.41, topic: 'Globex' },
    ]);
    expect(Object.keys(out[0])).toEqual(['schemaVersion', 'score', 'topic']);
  });

  it('CSV keeps the asked columns in order, and --no-headers drops the header line', () => {
    expect(render('csv', momentsListing(two, meta), ctx({ fields: ['topic', 'rank'] }))).toBe('topic,rank\r\nAcme Robotics,1\r\nGlobex,2\r\n');
    expect(render('csv', momentsListing(two, meta), ctx({ fields: ['topic'], headers: false }))).toBe('Acme Robotics\r\nGlobex\r\n');
    expect(render('tsv', momentsListing(two, meta), ctx({ fields: ['topic'], headers: false }))).toBe('Acme Robotics\nGlobex\n');
    expect(render('markdown', momentsListing(two, meta), ctx({ fields: ['topic'], headers: false }))).toBe('| Acme Robotics |\n| Globex |\n');
  });

  it('an unknown field is a usage error that lists the fields', () => {
    expect(() => render('json', momentsListing(two, meta), ctx({ fields: ['topic', 'nope'] }))).toThrow(/--fields: no field named "nope"/);
  });

  // '--csv --fields topic,examples' wrote '[object Object]; [object Object]', and '--json --fields topTitle' records
  // holding schemaVersion alone: each format gives every field --fields accepts
  it('a field of one format only is given in the others too: a list of objects as JSON in a cell, a column in JSON', () => {
    const m = sampleMoment();
    const cell = render('csv', momentsListing([m], meta), ctx({ fields: ['examples'], headers: false }));
    expect(cell).not.toContain('[object Object]');
    expect(cell).toContain(m.examples[0]!.link);
    expect(JSON.parse(render('json', momentsListing([m], meta), ctx({ fields: ['topTitle', 'topLink'] })))).toEqual([
      { schemaVersion: 1, topTitle: m.examples[0]!.title, topLink: m.examples[0]!.link },
    ]);
  });

  it('--fields may name schemaVersion, a field of every JSON record: a column of its own in the flat formats', () => {
    // (it was a usage error: 'no field named "schemaVersion"')
    const m = sampleMoment();
    expect(render('csv', momentsListing([m], meta), ctx({ fields: ['schemaVersion', 'topic'] }))).toBe(`schemaVersion,topic\r\n1,${m.topic}\r\n`);
    expect(JSON.parse(render('json', momentsListing([m], meta), ctx({ fields: ['topic', 'schemaVersion'] })))).toEqual([{ schemaVersion: 1, topic: m.topic }]);
  });
});

describe('human tables', () => {
  const long = 'A very long headline that goes on and on about Acme Robotics and its Glide, far past any terminal edge';
  const item = (i: number): ItemRow => ({
    id: i, title: `${long} ${i}`, summary: '', link: null, source: 'The Daily Ledger of Everything', sourceDomain: 'dailyledger.example',
    feedUrl: 'https://news.example/rss', feedKind: 'rss', publishedAt: Date.UTC(2026, 10, 18, 12), sentiment: -0.4, language: 'en', storyId: i,
    topics: ['Acme Robotics', 'Globex'], why: null, accounts: i % 2 ? [{ id: 1, name: 'Acme Robotics Inc.', domain: 'acme.example', matchType: 'domain', confidence: 0.95 }] : [],
  });
  const feed: FeedHealthRow = {
    url: 'https://news.google.com/rss/search?q=acme&hl=en-US', fetchUrl: 'https://news.google.com/rss/search?q=acme&hl=en-US', title: null, topics: ['Acme Robotics'], state: 'failing',
    lastFetchedAt: 0, lastSuccessAt: 0, consecutiveFailures: 3, fetches: 10, notModifiedRatio: 0.5, failures: 3, itemsPerDay: 2, items: 20, overflows: 0,
    error: 'HTTP 503 Service Unavailable — a server-side problem: it will be retried on the next fetch', nextDueAt: null,
  };
  const tables: [string, (width: number) => string][] = [
    ['items', (width) => render('table', itemsListing([item(1), item(2), item(3)], { from: 0, to: 1 }), ctx({ width }))],
    ['moments', (width) => render('table', momentsListing([sampleMoment(), sampleMoment({ rank: 2, topic: 'Globex Corporation International', accounts: [{ id: 2, name: 'Globex Corporation', domain: 'globex.example', items: 4, confidence: 0.95 }] })], meta), ctx({ width }))],
    ['feeds', (width) => render('table', feedHealthListing([feed, { ...feed, url: 'https://news.google.com/rss/search?q=globex&hl=en-US' }], 0), ctx({ width }))],
    ['accounts', (width) => render('table', accountsListing([
      { id: 1, name: long, domain: 'acme-robotics-international.example', aliases: [], handles: [], externalId: null, origin: 'csv-accounts', contacts: [], items: 12345, lastItemAt: 0, review: [`"${long}": also the name of account 2 (${long})`] },
      { id: 22222, name: 'HP', domain: null, aliases: [], handles: [], externalId: null, origin: 'csv-accounts', contacts: [], items: 0, lastItemAt: null, review: [] },
    ]), ctx({ width }))],
    ['fetch', (width) => render('table', fetchListing([sampleFeedResult(), sampleFeedResult({ url: 'https://b.example/feed', title: long })]), ctx({ width }))],
    ['quality', (width) => render('table', qualityListing([{
      topic: 'Northwind Airlines', labelled: 12, real: 9, noise: 2, planned: 1, precision: 10 / 12, moments: 14, alerts: 17, alertsPerWeek: 4.25, unlabelled: 2,
      threshold: { level: 3.25, base: 3, sensitivity: 'medium', source: 'learned', adjustments: [], pending: 0, realRun: 0, why: '3.25: 1 step above sensitivity medium (3)' },
    }], { from: 0, to: 1 }), ctx({ width }))],
  ];

  it('the topics table keeps the topic readable at 80 columns: the query gives way, and is shown whole under it', () => {
    const threshold = { level: 3, base: 3, sensitivity: 'medium', source: 'config', adjustments: [], pending: 0, realRun: 0, why: '3 (sensitivity medium)' } as TopicRow['threshold'];
    const topic = (name: string, query: string): TopicRow => ({
      name, query, feeds: 2, sources: ['google-news'], items: 310, stories: 200, firstItemAt: 0, learningUntil: 0, learning: false, lastMoment: null, threshold, labels: { real: 0, noise: 0, planned: 0 },
    });
    const rows = [topic('Northwind Airlines', '"northwind" AND (outage OR delay OR cancelled OR stranded)'), topic('Acme Robotics', '"acme robotics" OR acme')];
    const at80 = render('table', topicsListing(rows), ctx({ width: 80 }));
    // State and Last moment as wide as what they show, so the name is whole (it read "Northwind…": 10 columns
    // beside a State column of 24 that said "judged")
    expect(at80).toMatch(/^│ Northwind Airlines +│ +2 │ +310 │ judged │ +│$/m);
    expect(at80).toContain('Queries:\n  Northwind Airlines: "northwind" AND (outage OR delay OR cancelled OR stranded)\n  Acme Robotics: "acme robotics" OR acme\n');
    for (const l of at80.split('\n')) expect(shownWidth(l)).toBeLessThanOrEqual(80);
    // with room (piped: 100 columns) the query keeps its column, beside the whole name
    expect(render('table', topicsListing(rows), ctx({ width: 100 }))).toMatch(/^│ Northwind Airlines │ "northwind" AND \(outage OR delay O… │/m);
    // a topic still learning, with a moment: those columns take what they need, and the name still fits whole
    const learning = { ...rows[0]!, learning: true, learningUntil: Date.UTC(2026, 10, 23), lastMoment: { kind: 'sentiment-shift', direction: 'negative', start: 0, end: Date.UTC(2026, 10, 20), score: 6 } };
    // (its dates this year short, "23 Nov", at 80 columns: the name read "Northwind…" beside 2026-11-23)
    const now = Date.UTC(2026, 10, 20, 12);
    expect(render('table', topicsListing([learning, rows[1]!]), ctx({ width: 80, now }))).toMatch(/^│ Northwind Airlines │ +2 │ +310 │ learning to 23 Nov │ neg\. shift 20 Nov │$/m);
    expect(render('table', topicsListing([learning, rows[1]!]), ctx({ width: 132, now }))).toMatch(/^│ Northwind Airlines │ .* │ learning to 2026-11-23 │ neg\. shift 2026-11-20 │$/m);
  });

  it('notify list: each channel\'s problem in full under the table (the cell showed "http:/…" at 80 columns)', () => {
    const row = (id: number, channel: string, error: string | null): DeliveryRow => ({
      id: `msg_${id}`, createdAt: 0, channel, event: 'moment.detected', topic: 'Northwind Airlines', kind: 'sentiment-shift', direction: 'negative', score: 6.5, alertNo: 1,
      eventAt: 0, status: error ? 'failed' : 'sent', attempts: 1, lastAttemptAt: 0, nextAttemptAt: null, httpStatus: error ? 400 : 200, error, sentAt: null,
    } as DeliveryRow);
    const error = 'http://127.0.0.1:18931 answered 400: invalid_blocks: the header block is too long (Slack)';
    const out = render('table', deliveriesListing([row(1, 'desk', error), row(2, 'desk', error), row(3, 'ops', null)]), ctx({ width: 80 }));
    expect(out.replace(/\n {4}/g, ' ')).toContain(`\nProblems:\n  desk: ${error} (2 deliveries)\n`);
    for (const l of out.split('\n')) expect(shownWidth(l)).toBeLessThanOrEqual(80);
  });

  it('silence list: the time left in minutes, hours or days (a day\'s mute read "1440m")', () => {
    const now = Date.UTC(2026, 11, 7, 8);
    const silence = (id: number, minutes: number) => ({ id, topic: 'Acme Robotics', startsAt: now - 60_000, endsAt: now + minutes * 60_000, comment: null, createdAt: now - 60_000 });
    const out = render('table', silencesListing([silence(1, 7), silence(2, 90), silence(3, 1440), silence(4, 30 * 1440 + 12 * 60), silence(5, 3650 * 1440), silence(6, 36_499 * 1440 + 23 * 60)], now), ctx({ width: 80 }));
    const left = out.split('\n').filter((l) => /^│ +\d/.test(l)).map((l) => l.split('│')[4]!.trim());
    // (a 100-year silence read '36,499…': its hours cut the cell)
    expect(left).toEqual(['7m', '1h30m', '24h', '30d12h', '3,650d', '36,499d']);
  });

  it('the items table at 80 columns with accounts keeps the title readable (it had 13 columns once an item had an account)', () => {
    const out = tables.find(([name]) => name === 'items')![1](80).trimEnd().split('\n');
    for (const l of out) expect([...l].length, l).toBe(80);
    expect(out[1]!.split('│').map((c) => c.trim())).toEqual(['', 'Published (UTC)', 'Tone', 'Source', 'Topics', 'Accounts', 'Title', '']);
    const title = out[3]!.split('│')[6]!.trim();
    expect(title.length).toBeGreaterThanOrEqual(20);
    expect(title).toBe('A very long headlin…');
    // wider, the short columns take what they need first and the title the rest
    const wide = tables.find(([name]) => name === 'items')![1](140).trimEnd().split('\n');
    expect(wide[3]!.split('│')[5]!.trim()).toBe('Acme Robotics Inc.');
    expect(wide[3]!.split('│')[6]!.trim().length).toBeGreaterThan(50);
  });

  it('the items table: the title keeps 22 characters at 80 columns (it had 15), and topics and sources are whole on a wide terminal (cut at 16 whatever the width)', () => {
    const plainItem = (i: number, source: string, topics: string[]): ItemRow => ({ ...item(i), source, topics, accounts: [] });
    const rows = [plainItem(2, 'The Points Traveler', ['Northwind Airlines']), plainItem(4, 'Daily Ledger', ['Acme Robotics', 'Globex'])];
    const cells = (width: number) =>
      render('table', itemsListing(rows, { from: 0, to: 1 }), ctx({ width })).trimEnd().split('\n').filter((l) => l.startsWith('│')).map((l) => l.split('│').map((c) => c.trim()));
    const at80 = cells(80);
    expect(at80[0]).toEqual(['', 'Published (UTC)', 'Tone', 'Source', 'Topics', 'Title', '']);
    expect(at80[1]![5]!.length).toBeGreaterThanOrEqual(22);
    for (const width of [132, 200]) {
      const wide = cells(width);
      expect(wide.slice(1).map((r) => [r[3], r[4]])).toEqual([['The Points Traveler', 'Northwind Airlines'], ['Daily Ledger', 'Acme Robotics, Globex']]);
      expect(wide[1]![5]!.length).toBeGreaterThan(40);
    }
  });

  it('the events table keeps the topic readable at 80 columns, and its empty line fits the terminal', () => {
    const event = (id: number, topic: string, note: string): PlannedEvent => ({
      id, topic, uid: null, start: Date.UTC(2026, 10, 18), end: Date.UTC(2026, 10, 19), leadMs: 0, lagMs: 0, note, categories: [], source: 'cli', createdAt: 0,
    });
    const rows = render('table', eventsListing([event(1, 'Acme Robotics', 'launch'), event(2, '*', 'Black Friday')]), ctx({ width: 80 })).trimEnd().split('\n');
    for (const l of rows) expect([...l].length).toBe(80);
    // (it read "Acme Ro…" beside a Note column of 10 and an Id column of 6)
    expect(rows.slice(3, 5).map((l) => l.split('│').slice(1, 3).map((c) => c.trim()))).toEqual([['1', 'Acme Robotics'], ['2', '* (every topic)']]);
    expect(rows[1]).not.toContain('Lead/lag');
    // with a lead or lag, that column too, and the table still fits
    const withLead = render('table', eventsListing([{ ...event(1, 'Acme Robotics', 'launch'), leadMs: 86_400_000 }]), ctx({ width: 80 })).trimEnd().split('\n');
    expect(withLead[1]!.split('│').map((c) => c.trim())).toEqual(['', 'Id', 'Topic', 'From (UTC)', 'To (UTC)', 'Lead/lag', 'Note', '']);
    expect(withLead[3]).toContain('│ Acme Robotics │');
    for (const l of withLead) expect([...l].length).toBe(80);
    const empty = render('table', eventsListing([]), ctx({ width: 80 }));
    expect(empty).toContain('momentscan events add TOPIC');
    for (const l of empty.split('\n')) expect([...l].length).toBeLessThanOrEqual(80);
  });

  it('the fetch table gives the feed the room an empty Note column took (the name was cut to 21 columns at 80)', () => {
    const title = 'reddit.example: search results - acme';
    const cells = (rows: Parameters<typeof sampleFeedResult>[0][]) =>
      render('table', fetchListing(rows.map((r) => sampleFeedResult(r))), ctx({ width: 80 })).trimEnd().split('\n').filter((l) => l.startsWith('│')).slice(1).map((l) => l.split('│').map((c) => c.trim()));
    expect(cells([{ title }, { title: 'News' }]).map((r) => r[1])).toEqual([title, 'News']);
    // a failure's reason still gets half of what the two share
    const failed = cells([{ title, status: 'failed', error: 'DNS lookup failed for www.reddit.com — check the host name and your network' }])[0]!;
    expect(failed[5]!.length).toBeGreaterThanOrEqual(20);
    expect(failed[1]!.length).toBeGreaterThanOrEqual(20);
  });

  it('the fetch summary writes counts with a thousands separator, as other output does', () => {
    // (it was '1904 new items', beside '1,904 stored items' elsewhere)
    const feeds = [sampleFeedResult({ itemsNew: 1904, itemsSeen: 12345 }), sampleFeedResult({ url: 'https://b.example/feed', status: 'not-modified', itemsNew: 0 })];
    expect(fetchSummaryLine({ feeds, interrupted: false, warnAfter: 3 })).toBe('fetch: 2 feeds, 1 ok, 1 not modified, 0 failed, 0 skipped; 1,904 new items');
  });

  it('the quality table keeps the topic readable at 80 columns', () => {
    const quality = tables.find(([name]) => name === 'quality')![1](80);
    expect(quality).toMatch(/^│ Northwind A… │ +12 │ 9\/2\/1 +│ +83% │ +14 │ +4\.3 │ +3\.25 │$/m);
    expect(quality).toContain('R/N/P: labels real/noise/planned');
  });

  // a learned threshold's why was one line under the table, 126 columns on the sample, 80 or not
  it('quality: the thresholds under the table are wrapped to its width, as topics\' are', () => {
    const why = '3.25: 1 step above sensitivity medium (3) after 1 adjustment, the last on 2026-11-20: noise label on moment 1';
    const row = {
      topic: 'Acme Robotics', labelled: 1, real: 0, noise: 1, planned: 0, precision: 0, moments: 1, alerts: 1, alertsPerWeek: 0.23, unlabelled: 0,
      threshold: { level: 3.25, base: 3, sensitivity: 'medium', source: 'learned', adjustments: [], pending: 0, realRun: 0, why },
    } as Parameters<typeof qualityListing>[0][number];
    const out = render('table', qualityListing([row], { from: 0, to: 1 }), ctx({ width: 80 }));
    for (const l of out.split('\n')) expect(shownWidth(l)).toBeLessThanOrEqual(80);
    expect(out).toContain('  Acme Robotics: 3.25: 1 step above sensitivity medium (3) after 1 adjustment,\n    the last on 2026-11-20: noise label on moment 1\n');
  });

  it.each(tables.flatMap(([name, draw]) => [80, 100, 133].map((w) => [name, w, draw] as const)))('%s fits a terminal %d columns wide, one line per row, no line between rows', (_name, width, draw) => {
    const lines = draw(width).split('\n').filter((l) => /^[┌│├└]/.test(l));
    for (const l of lines) expect([...l].length).toBe(width);
    // the border under the header, and no other
    expect(lines.filter((l) => l.startsWith('├'))).toHaveLength(1);
  });
});

describe('the timeline chart', () => {
  const bucket = 15 * 60_000;
  const from = Date.UTC(2026, 10, 13, 12);
  const rows = (n: number): TimelineRow[] =>
    Array.from({ length: n }, (_, i) => ({
      topic: 'Acme Robotics', bucketMs: bucket, learning: false, start: from + i * bucket, count: i % 5, items: i % 5, scored: i % 5, expected: 1, volumeScore: 0, volumeFlag: false,
      volumeAlert: null, sentimentMean: i % 5 ? 0.3 : null, baselineSentiment: 0.1, sentimentScore: 0, sentimentFlag: null, sentimentAlert: null, sentimentWindowItems: 0, judged: true,
    }) as unknown as TimelineRow);
  const chart = (n: number, width: number) => {
    const out = render('table', timelineListing(rows(n), { topic: 'Acme Robotics', bucketMs: bucket, from, to: from + n * bucket }), ctx({ width }));
    return out.slice(0, out.indexOf('┌'));
  };

  it('says how many buckets a bar stands for when it has more buckets than the terminal has columns (it showed the last 70 of 672 without a word)', () => {
    const top = chart(672, 80);
    expect(top).toMatch(/a bar is 10 buckets \(2h30m\)/);
    for (const l of top.split('\n')) expect(shownWidth(l)).toBeLessThanOrEqual(80);
    expect(chart(28, 80)).not.toContain('a bar is');
  });

  it('a period that begins before the topic\'s first item says the chart and table begin there (the title named a start they did not show)', () => {
    const firstItemAt = from + 3 * bucket + 60_000;
    const out = render('table', timelineListing(rows(40).slice(3), { topic: 'Acme Robotics', bucketMs: bucket, from, to: from + 40 * bucket, firstItemAt }), ctx({ width: 80 }));
    expect(out.slice(0, out.indexOf('┌')).replace(/\n {9}/g, ' ')).toContain(
      'nothing before 2026-11-13 12:45 UTC: the topic\'s first stored item is from 2026-11-13 12:46 UTC, so the chart and the table begin there',
    );
    for (const l of out.split('\n')) expect(shownWidth(l)).toBeLessThanOrEqual(80);
    expect(chart(40, 80)).not.toContain('nothing before');
  });

  it('explains its tone marks', () => {
    expect(chart(28, 80)).toContain('tone: + at least +0.2, − at most −0.2, · between');
  });
});

describe('the moments table at different widths', () => {
  const globex = { id: 2, name: 'Globex Corporation', domain: 'globex.example', items: 4, confidence: 0.95 };
  const rows = [
    sampleMoment({ id: 7 }),
    sampleMoment({ id: 12, rank: 2, topic: 'Globex', accounts: [globex, { ...globex, id: 3, name: 'Initech' }], examples: [{ title: 'Globex recalls its robot vacuums', link: null, source: null, publishedAt: 0, sentiment: null }] }),
  ];
  const lines = (width: number, tty = false) => render('table', momentsListing(rows, meta), ctx({ width, tty })).split('\n');
  const row = (width: number, n: number) => lines(width).filter((l) => l.startsWith('│'))[n]!.split('│').map((c) => c.trim());

  it('at 80 columns keeps the headline readable: the sparkline and tone give way, the first account goes on the line below it', () => {
    expect(row(80, 0)).toEqual(['', 'Id', 'Topic', 'Moment', 'Score', 'When', '[Accounts] top headline', '']);
    const [, id, , , , , headline] = row(80, 2);
    expect(id).toBe('12');
    expect(headline).toBe('Globex recalls its robo…');
    expect(row(80, 3)).toEqual(['', '', '', '', '', '', '[Globex Corporation +1]', '']);
    // the legend under it is wrapped to the terminal, and no longer explains a column that is not there
    const legend = lines(80, true).filter((l) => /label ID|explanations/.test(l));
    for (const l of legend) expect([...l].length).toBeLessThanOrEqual(80);
    expect(legend.join(' ')).not.toMatch(/Volume:/);
  });

  it('a long topic name is whole when the terminal has room for it, and cut only on a narrow one (it was "Northwind Ai…" at 200 columns)', () => {
    const named = [sampleMoment({ id: 7 }), sampleMoment({ id: 8, rank: 2, topic: 'Northwind Airlines' })];
    const topics = (width: number) =>
      render('table', momentsListing(named, meta), ctx({ width })).split('\n').filter((l) => l.startsWith('│')).slice(1).map((l) => l.split('│')[2]!.trim());
    for (const width of [132, 200]) expect(topics(width)).toEqual(['Acme Robotics', 'Northwind Airlines']);
    // at 80 columns (and 100) the headline keeps its columns first
    const at80 = render('table', momentsListing(named, meta), ctx({ width: 80 })).split('\n').filter((l) => l.startsWith('│'));
    for (const l of at80) expect([...l].length).toBe(80);
    expect(at80[2]!.split('│').at(-2)!.trim().length).toBeGreaterThanOrEqual(22);
    expect(topics(80)[1]).toBe('Northwind Ai…');
  });

  it('the legend breaks between sentences, never inside the command it gives', () => {
    for (const width of [80, 100, 132]) {
      const legend = lines(width, true).filter((l) => /label|explanations|Volume:/.test(l) && !l.startsWith('│'));
      expect(legend.some((l) => l.includes('momentscan label ID real|noise|planned.'))).toBe(true);
      for (const l of legend) expect([...l].length).toBeLessThanOrEqual(width);
    }
  });

  it('at 100 columns shows volume and tone; at 140 the accounts have a column of their own', () => {
    expect(row(100, 0)).toEqual(['', 'Id', 'Topic', 'Moment', 'Score', 'When', 'Volume', 'Tone', '[Accounts] top headline', '']);
    expect(row(140, 0)).toEqual(['', 'Id', 'Topic', 'Moment', 'Score', 'When', 'Volume', 'Tone', 'Accounts', 'Top headline', '']);
    expect(row(140, 2).slice(-3, -1)).toEqual(['Globex Corporation, Initech', 'Globex recalls its robot vacuums']);
    expect(row(140, 1).slice(-3, -1)[0]).toBe('');
  });
});

describe('the moments table: labels before the headline give way to it', () => {
  // Found running the README at 80 columns: "[planned] [Acme Corp…] …", the headline had no room left at all.
  const acme = { id: 1, name: 'Acme Corporation, Inc.', domain: 'acme.com', items: 30, confidence: 0.6 };
  const title = 'Acme Glide: should you preorder the viral robot vacuum?';
  const moment = (over: Partial<MomentRow> = {}) =>
    sampleMoment({ planned: true, accounts: [acme], examples: [{ title, link: null, source: null, publishedAt: 0, sentiment: null }], ...over });
  const body = (rows: MomentRow[], width: number, c: Partial<RenderContext> = {}) =>
    render('table', momentsListing(rows, meta), ctx({ width, ...c })).split('\n').filter((l) => l.startsWith('│')).slice(1);
  const headlines = (rows: MomentRow[], width: number) => body(rows, width).map((l) => l.split('│').at(-2)!.trim());

  it.each([80, 100])('at %d columns the headline keeps at least 22 columns, [planned] and the account on the line below', (width) => {
    const lines = body([moment(), sampleMoment({ rank: 2, id: 8, topic: 'Northwind' })], width);
    expect(lines).toHaveLength(3);
    const [first, labels, next] = lines.map((l) => l.split('│').map((c) => c.trim()));
    expect(first![1]).toBe('7');
    expect(first!.at(-2)).toMatch(/^Acme Glide: should you …?/);
    expect(textWidth(first!.at(-2)!)).toBeGreaterThanOrEqual(22);
    // the line below belongs to the moment above it: no id, no other cell, and all of its labels
    expect(labels!.slice(1, -2).every((c) => c === '')).toBe(true);
    expect(labels!.at(-2)).toMatch(/^\[planned\] \[Acme Corpor/);
    expect(next![1]).toBe('8');
    for (const l of lines) expect(shownWidth(l)).toBe(width);
  });

  it('with room the labels still lead the headline on its line, as before (120 columns; an accounts column at 200)', () => {
    expect(headlines([moment()], 120)).toEqual(['[planned] [Acme Corp…] Acme Glide: should yo…']);
    expect(headlines([moment()], 200)).toEqual([`[planned] ${title}`]);
    // a short headline that fits whole beside its labels keeps them on its line, even at 80 columns
    expect(headlines([moment({ accounts: [], examples: [{ title: 'Glide ships', link: null, source: null, publishedAt: 0, sentiment: null }] })], 80)).toEqual(['[planned] Glide ships']);
  });

  it('wide characters count two columns, and a coloured label line is never cut inside a colour code', () => {
    const cjk = moment({ label: { verdict: 'real', note: null, at: 0 }, accounts: [{ ...acme, name: 'アクメ株式会社グローバル' }, { ...acme, id: 2, name: 'Globex' }], examples: [{ title: 'アクメ、掃除ロボットを回収 🤖 全モデル対象', link: null, source: null, publishedAt: 0, sentiment: null }] });
    const lines = body([cjk], 80, { chalk: new Chalk({ level: 1 }), color: true });
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(shownWidth(l)).toBe(80);
    expect(textWidth(stripControl(lines[0]!).split('│').at(-2)!.trim())).toBeGreaterThanOrEqual(22);
    const labels = lines[1]!.split('│').at(-2)!;
    // the account's name cut to the room left, by columns: ア is two
    expect(labels).toMatch(/^ \x1b\[36m\[planned, real\]\x1b\[39m \x1b\[1m\[ア… \+1\]\x1b\[22m +$/);
  });
});

describe('the hint under the moments table', () => {
  it('is for a terminal only: a pipe gets the table alone', () => {
    const hint = /Use -v for explanations, --json for scripts\./;
    expect(render('table', momentsListing([sampleMoment()], meta), ctx({ tty: true }))).toMatch(hint);
    expect(render('table', momentsListing([sampleMoment()], meta), ctx({ tty: false }))).not.toMatch(hint);
  });

  it('--fields with the table is a usage error (it was ignored)', () => {
    expect(() => render('table', momentsListing([sampleMoment()], meta), ctx({ fields: ['topic'] }))).toThrow(/^--fields goes with a machine format, not the table$/);
  });
});

describe('the feeds table', () => {
  const row = (over: Partial<FeedHealthRow>): FeedHealthRow => ({
    url: '', fetchUrl: '', title: null, topics: [], state: 'ok', lastFetchedAt: 0, lastSuccessAt: 0, consecutiveFailures: 0, fetches: 1, notModifiedRatio: 0,
    failures: 0, itemsPerDay: 1, items: 1, overflows: 0, error: null, nextDueAt: null, ...over,
  });
  it('tells two Google News searches apart (title from the config, topic, host and query), and shows errors in full under it', () => {
    const error = 'HTTP 503 Service Unavailable — a server-side problem: it will be retried on the next fetch (and this goes on past any column)';
    const out = render(
      'table',
      feedHealthListing(
        [
          row({ url: 'https://news.google.com/rss/search?q=acme%20robotics&hl=en-US&gl=US&ceid=US:en', topics: ['Acme'], title: 'Acme in the news' }),
          row({ url: 'https://news.google.com/rss/search?q=northwind&hl=en-US&gl=US&ceid=US:en', topics: ['Northwind'], state: 'failing', error }),
        ],
        0,
      ),
      ctx({ width: 100 }),
    );
    const lines = out.split('\n');
    expect(lines[3]).toMatch(/^│ Acme in the news +│ Acme +│ google-news en-US +│ ok /);
    expect(lines[4]).toMatch(/^│ "northwind" on[^│]* │ Northwind +│ google-news en-US +│ failing /);
    // word-wrapped to the terminal (a line ran past it), the feed's address whole on a line of its own
    expect(out.slice(out.indexOf('Problems:')).replace(/\n {4}(?!https)/g, ' ')).toBe(
      `Problems:\n  "northwind" on news.google.com: ${error}\n    https://news.google.com/rss/search?q=northwind&hl=en-US&gl=US&ceid=US:en\n`,
    );
    for (const l of out.split('\n')) expect(shownWidth(l)).toBeLessThanOrEqual(100);
    const at80 = render('table', feedHealthListing([row({ url: `https://news.google.com/rss/search?q=${'northwind+'.repeat(9)}x&hl=en-US&gl=US&ceid=US:en`, state: 'failing', error })], 0), ctx({ width: 80 }));
    for (const l of at80.split('\n')) if (!/^ +https:/.test(l)) expect(shownWidth(l), l).toBeLessThanOrEqual(80);
    expect(at80).toMatch(/^ {4}https:\/\/news\.google\.com\/rss\/search\?q=(northwind\+){9}x&hl=en-US&gl=US&ceid=US:en$/m);
  });
  it('a feed not yet fetched is named by its query, quoted once: a query with quotes of its own is not quoted again', () => {
    const row = (url: string) => ({ url, fetchUrl: url, title: null, topics: ['Acme'], state: 'failing' as const, lastFetchedAt: null, lastSuccessAt: null, consecutiveFailures: 1, fetches: 1, notModifiedRatio: null, failures: 1, itemsPerDay: 0, items: 0, overflows: 0, error: 'HTTP 500', nextDueAt: null });
    const out = render('table', feedHealthListing([row(`https://news.google.com/rss/search?q=${encodeURIComponent('"acme robotics" OR glide')}&hl=en-US`), row('https://news.google.com/rss/search?q=glide&hl=en-US')] as FeedHealthRow[], 0), ctx({ width: 100 }));
    expect(out).toContain('\n  "acme robotics" OR glide on news.google.com: HTTP 500\n    https://news.google.com/rss/search?q=');
    expect(out).toContain('\n  "glide" on news.google.com: HTTP 500\n');
    expect(out).not.toContain('""');
  });
});

describe('the feeds table: a topic\'s sources', () => {
  // one query, every source kind: the Source column said '"acme robotics" OR (ac…' on each row (Feed too, untitled)
  const q = encodeURIComponent('"acme robotics" OR glide');
  const urls = [
    `https://news.google.com/rss/search?q=${q}&hl=en-US&gl=US&ceid=US:en`,
    `https://news.google.com/rss/search?q=${q}&hl=de&gl=DE&ceid=DE:de`,
    `https://www.bing.com/news/search?q=${q}&format=rss&setlang=en&cc=US`,
    `https://www.reddit.com/search.rss?q=${q}&sort=new`,
    `https://www.reddit.com/r/robotics/search.rss?q=${q}&restrict_sr=on&sort=new`,
    'https://hnrss.org/newest?q=acme+OR+glide',
    'https://mastodon.social/tags/acmerobotics.rss',
    'https://fosstodon.org/tags/Z%C3%BCrich.rss',
    'https://www.google.com/alerts/feeds/01234567890123456789/9876543210987654321',
    'https://blog.acme.example/feed.xml',
  ];
  it('tells them apart (100 columns, as piped): kind, language and country, subreddit, hashtag', () => {
    const rows = urls.map((url) => ({ url, fetchUrl: url, title: null, topics: ['Acme'], state: 'new' as const, lastFetchedAt: null, lastSuccessAt: null, consecutiveFailures: 0, fetches: 0, notModifiedRatio: null, failures: 0, itemsPerDay: 0, items: 0, overflows: 0, error: null, nextDueAt: null }));
    const lines = render('table', feedHealthListing(rows as FeedHealthRow[], 0), ctx({ width: 100 })).split('\n').slice(3, 3 + urls.length);
    const source = lines.map((l) => l.split('│')[3]!.trim());
    expect(source).toEqual(['google-news en-US', 'google-news de-DE', 'bing-news en-US', 'reddit', 'reddit r/robotics', 'hackernews', 'mastodon #acmerobotics', 'mastodon #Zürich (fosst…', 'google-alerts', 'blog.acme.example/feed.…']);
    expect(new Set(source).size).toBe(urls.length);
  });
  it('at 80 columns the Source column is served first ("google-news en-US", not "google-ne…"), and the table fits', () => {
    const rows = urls.map((url) => ({ url, fetchUrl: url, title: null, topics: ['Acme Robotics'], state: 'new' as const, lastFetchedAt: null, lastSuccessAt: null, consecutiveFailures: 0, fetches: 0, notModifiedRatio: null, failures: 0, itemsPerDay: 0, items: 0, overflows: 0, error: null, nextDueAt: null }));
    const all = render('table', feedHealthListing(rows as FeedHealthRow[], 0), ctx({ width: 80 })).trimEnd().split('\n');
    for (const l of all) expect([...l].length, l).toBe(80);
    const source = all.slice(3, 3 + urls.length).map((l) => l.split('│')[3]!.trim());
    expect(source.slice(0, 6)).toEqual(['google-news en-US', 'google-news de-DE', 'bing-news en-US', 'reddit', 'reddit r/robotics', 'hackernews']);
    expect(all[3]!.split('│')[2]!.trim()).toBe('Acme Robotics');
  });
  it('at 80 columns the Feed, Topic and Source keep room to be read: Items/day is left out, failures in a row go with the state', () => {
    // the three shared 35 columns beside State, Last ok, Fails and Items/day: the Feed read '"acme…', the Topic 'North…'
    const row = (url: string, topic: string, over: Partial<FeedHealthRow> = {}) => ({ url, fetchUrl: url, title: `"${topic.split(' ')[0]!.toLowerCase()}" - News Search`, topics: [topic], state: 'ok' as const, lastFetchedAt: 0, lastSuccessAt: 0, consecutiveFailures: 0, fetches: 1, notModifiedRatio: 0, failures: 0, itemsPerDay: 2, items: 1, overflows: 0, error: null, nextDueAt: null, ...over });
    const rows = [row(urls[0]!, 'Acme Robotics'), row(urls[3]!, 'Northwind Airlines', { state: 'failing', consecutiveFailures: 3, error: 'HTTP 500' })] as FeedHealthRow[];
    const at80 = render('table', feedHealthListing(rows, 0), ctx({ width: 80 })).split('\n');
    for (const l of at80.slice(0, 6)) expect([...l].length, l).toBe(80);
    const cells = (l: string) => l.split('│').slice(1, -1).map((c) => c.trim());
    expect(cells(at80[1]!)).toEqual(['Feed', 'Topic', 'Source', 'State', 'Last ok']);
    expect(cells(at80[3]!)).toEqual(['"acme" - News…', 'Acme Robotics', 'google-news en-US', 'ok', 'now']);
    expect(cells(at80[4]!)).toEqual(['"northwind" -…', 'Northwind Airl…', 'reddit', 'failing ×3', 'now']);
    const at100 = render('table', feedHealthListing(rows, 0), ctx({ width: 100 })).split('\n');
    expect(cells(at100[1]!)).toEqual(['Feed', 'Topic', 'Source', 'State', 'Last ok', 'Items/day']);
    expect(cells(at100[4]!)).toEqual(['"northwind" - News…', 'Northwind Airlines', 'reddit', 'failing ×3', 'now', '2.0']);
  });
});

describe('status', () => {
  const status = (database: Status['database']): Status => ({
    config: { path: '/c.yaml', exists: true },
    database,
    feeds: { total: 0, ok: 0, failing: 0, new: 0, retired: 0, lastFetchAt: null },
    topics: [],
    accounts: { known: 0, withItems: 0, review: 0 },
    email: { server: null, to: [], check: 'not configured' },
    now: 0,
  });
  it.each([
    ['a SQLite file: its size', { path: '/d.db', exists: true, bytes: 3 * 2 ** 20 }, 'database  /d.db (3.0 MB)\n'],
    ['a PostgreSQL URL: no size (it has no file), not "0.0 MB"', { path: 'postgres://u@h:5432/m', exists: true, bytes: null }, 'database  postgres://u@h:5432/m\n'],
    ['no database yet', { path: '/d.db', exists: false, bytes: null }, 'database  /d.db (none yet: run momentscan fetch)\n'],
  ])('the database line for %s', (_name, database, line) => {
    expect(renderStatus(status(database), ctx())).toContain(line);
  });
});

describe('lines under and beside the tables fit the terminal (80 columns)', () => {
  const link = 'https://www.evergreengazette.example/news/acme-glide-should-you-preorder-the-viral-robot-vacuum-566910';
  // wide characters (CJK two columns each), an emoji sequence, a right-to-left name and a zero-width joiner
  const title = 'Acme Glide 機器人吸塵器 launch: 👩‍💻 what the Roomba-killer means for the market and for שלום‎ readers everywhere';
  const moment = sampleMoment({
    topSources: ['Evergreen Gazette', 'Home Tech Digest', 'Daily Ledger', 'Metro Tribune', 'Robotics Weekly', 'techwire.example'],
    caveats: ['most of its items come from one source (reddit.example), so the burst may be one community talking to itself'],
    examples: [{ title, link, source: 'Evergreen Gazette', publishedAt: 0, sentiment: 0 }],
  });
  const color = new Chalk({ level: 1 });
  const item = { ...({} as EnrichedItem), title, link, source: 'Evergreen Gazette', sourceDomain: 'evergreengazette.example', publishedAt: 0, dateEstimated: false, sentiment: 0.1, topics: ['Acme Robotics'] } as EnrichedItem;
  const status = {
    config: { path: '/home/analyst/.config/momentscan/config.yaml', exists: true },
    database: { path: '/home/analyst/.local/share/momentscan/momentscan.db', exists: true, bytes: 2 ** 21 },
    feeds: { total: 1234, ok: 1200, failing: 30, new: 3, retired: 1, lastFetchAt: Date.UTC(2026, 11, 7, 7, 21, 20) },
    topics: [], accounts: { known: 0, withItems: 0, review: 0 }, email: { server: null, to: [], check: 'not configured' }, now: 0,
  };
  const outputs: [string, (c: RenderContext) => string][] = [
    ['moments -v', (c) => render('table', momentsListing([moment], meta), { ...c, verbose: true })],
    ['items --explain', (c) => render('table', itemsListing([{ id: 1, title, summary: '', link, source: 'Evergreen Gazette', sourceDomain: 'evergreengazette.example', feedUrl: 'https://news.example/rss', feedKind: 'rss', publishedAt: 0, sentiment: 0.1, language: 'en', storyId: 1, topics: ['Acme Robotics'], accounts: [], why: { 'Acme Robotics': ['acme', 'glide', 'roomba-killer', 'preorder', 'viral launch', 'robot vacuum', 'market share', 'everywhere'] } }], { from: 0, to: 1 }), c)],
    ['feeds test', (c) => render('table', testItemsListing([item, { ...item, source: 'The Evergreen Gazette of the Pacific Northwest' }], 'Evergreen Gazette — news, reviews and opinion on home robots, vacuums, mowers and the rest'), c)],
    ['status', (c) => renderStatus(status, c)],
  ];
  it.each(outputs.flatMap(([name, draw]) => [false, true].map((colour) => [name, colour, draw] as const)))('%s (colour %s): every line within 80 columns but a link, which stands alone on its line, whole', (_name, colour, draw) => {
    const out = draw(ctx({ width: 80, tty: true, ...(colour ? { chalk: color, color: true } : {}) }));
    for (const line of out.split('\n')) {
      if (line.includes('https://')) expect(line.replace(/\x1b\[[0-9;]*m/g, '').trim()).toMatch(/^https:\/\/\S+$/);
      else expect(shownWidth(line), line).toBeLessThanOrEqual(80);
      // a colour never runs on past its line (every code opened is closed on the same line)
      if (colour) expect(line.replace(/\x1b\[(?:0|22|39)m/g, '').match(/\x1b\[[0-9;]*m/g)?.length ?? 0).toBeLessThanOrEqual((line.match(/\x1b\[(?:0|22|39)m/g) ?? []).length);
    }
    if (!_name.startsWith('status')) expect(out).toContain(link);
    // nothing is lost: the words come back when the lines are joined again
    expect(out.replace(/\x1b\[[0-9;]*m/g, '').replace(/\s+/g, ' ')).toContain({ status: '1234 configured: 1200 ok, 30 failing, 3 never fetched, 1 retired; last fetch 2026-12-07 07:21 UTC (momentscan feeds shows why)', 'feeds test': 'The Evergreen Gazette of the Pacific Northwest' }[_name] ?? 'launch: 👩‍💻 what the Roomba-killer');
  });
});

describe('a word longer than a line is broken over lines, not left to run past the terminal', () => {
  // feed text: 500 letters without a space, a Chinese headline (no spaces between words), a long term
  const long = `Acme ${'A'.repeat(500)} recall`;
  const chinese = `Acme${'機器人吸塵器召回'.repeat(12)}`;
  const link = `https://news.example/${'p'.repeat(120)}`;
  const moment = sampleMoment({
    topTerms: ['glide', 'w'.repeat(300)],
    examples: [long, chinese].map((title) => ({ title, link, source: 'Daily Ledger', publishedAt: 0, sentiment: 0 })),
  });
  const outputs: [string, () => string][] = [
    ['moments -v', () => render('table', momentsListing([moment], meta), ctx({ width: 80, tty: true, verbose: true }))],
    ['items --explain', () => render('table', itemsListing([long, chinese].map((title, id) => ({ id, title, summary: '', link, source: 'Daily Ledger', sourceDomain: 'news.example', feedUrl: 'https://news.example/rss', feedKind: 'rss', publishedAt: 0, sentiment: 0.1, language: 'en', storyId: id, topics: ['Acme Robotics'], accounts: [], why: { 'Acme Robotics': ['acme', 'x'.repeat(200)] } })), { from: 0, to: 1 }), ctx({ width: 80, tty: true, verbose: true }))],
  ];
  it.each(outputs)('%s: every line within 80 columns but the link, and every letter still there', (_name, draw) => {
    const out = draw();
    for (const line of out.split('\n')) {
      if (line.includes('https://')) expect(line.trim()).toBe(link);
      else expect(shownWidth(line), line).toBeLessThanOrEqual(80);
    }
    const joined = out.replace(/\s+/g, '');
    expect(joined).toContain('A'.repeat(300));
    expect(joined).toContain('機器人吸塵器召回'.repeat(6));
  });
});

describe('emoji sequences in a table line up on every terminal', () => {
  /**
   * How terminals that measure code point by code point (xterm, Alacritty, VTE: wcwidth) count columns:
   * marks, joiners and variation selectors none, emoji and wide characters two. Terminals that draw a
   * joined sequence as one picture count as textWidth does; a table must come out the same on both.
   */
  const byCodePoint = (s: string) => {
    let w = 0;
    for (const c of s.replace(/\x1b\[[0-9;]*m/g, '')) {
      if (/[\p{M}\u200b-\u200f\u2060\ufe00-\ufe0f]/u.test(c)) continue;
      w += /\p{Emoji_Presentation}|[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(c) ? 2 : 1;
    }
    return w;
  };
  const titles = ['👨‍👩‍👧‍👦👨‍👩‍👧‍👦 family news', '👍🏽👍🏾 great launch', '❤️❤️ love it', '👩‍💻👩‍💻👩‍💻 coders 🏳️‍🌈', 'plain title for comparison'];
  const rows: ItemRow[] = titles.map((title, id) => ({ id, title, summary: '', link: null, source: '👨‍👩‍👧 Family Blog', sourceDomain: 'f.example', feedUrl: 'f', feedKind: 'rss', publishedAt: 0, sentiment: 0, language: 'en', storyId: id, topics: ['T'], accounts: [], why: null }));
  it.each([80, 120])('items at %i columns: every line as wide by either count', (width) => {
    const out = render('table', itemsListing(rows, { from: 0, to: 1 }), ctx({ width, tty: true }));
    for (const line of out.trimEnd().split('\n')) {
      expect(byCodePoint(line), line).toBe(width);
      expect(shownWidth(line), line).toBe(width);
    }
    // the pictures are still there, one by one
    expect(out).toContain('👨👩👧👦');
  });
});
