import { guessKind } from '../config/sources/index.js';
import { mastodonTag } from '../config/sources/mastodon.js';
import { iso } from '../core/time.js';
import { stripControl } from '../core/text.js';
import type { EnrichedItem } from '../core/types.js';
import { drawTable, tableWidth } from './table.js';
import { ago, cellText, shownWidth, timeColumn, wrapShown, zonedText } from './text.js';
import type { FeedHealthRow } from '../moments/types.js';
import type { Column, Listing, RenderContext } from './types.js';

export type { FeedHealthRow, FeedState } from '../moments/types.js';

const t = (x: number | null | undefined) => (x === null || x === undefined ? null : iso(x));

export function feedHealthJson(r: FeedHealthRow): Record<string, unknown> {
  return {
    url: r.url,
    fetchUrl: r.fetchUrl,
    title: r.title,
    topics: r.topics,
    state: r.state,
    lastFetchedAt: t(r.lastFetchedAt),
    lastSuccessAt: t(r.lastSuccessAt),
    consecutiveFailures: r.consecutiveFailures,
    fetches: r.fetches,
    notModifiedRatio: r.notModifiedRatio,
    failures: r.failures,
    itemsPerDay: r.itemsPerDay,
    items: r.items,
    overflows: r.overflows,
    error: r.error,
    nextDueAt: t(r.nextDueAt),
  };
}

const HEALTH_COLUMNS: Column<FeedHealthRow>[] = Object.keys(feedHealthJson({} as FeedHealthRow)).map((key) => ({
  key,
  value: (r: FeedHealthRow) => {
    const v = feedHealthJson(r)[key];
    return Array.isArray(v) ? v.join('; ') : (v as string | number | null);
  },
}));

/**
 * A feed's address, short: host (no www.) and path, or a search's query decoded and its host ("\"acme
 * robotics\" on news.google.com"), so that two searches on one host tell apart; a local file by its name.
 */
export function shortFeedUrl(url: string): string {
  const u = parsedUrl(url);
  if (u === null) return url;
  if (u.protocol === 'file:') return decodeURIComponent(u.pathname.split('/').pop() ?? url);
  const host = u.host.replace(/^www\./, '');
  const query = ['q', 'query', 'search', 'tag', 'keywords'].map((k) => u.searchParams.get(k)).find((v) => v) ?? null;
  const path = u.pathname === '/' ? '' : u.pathname;
  // the query first: it is what tells two searches on one host apart when the cell is cut
  // (a query that holds quotes itself is not quoted again: README's '"acme robotics" OR …' read '""acme robotics" OR …')
  return query ? `${query.includes('"') ? query : `"${query}"`} on ${host}` : `${host}${path}${u.search}`;
}

/**
 * What kind of source a feed is, short, with what sets two of a kind apart: `google-news de-DE`, `bing-news
 * en-US`, `reddit r/robotics`, `hackernews`, `mastodon #acmerobotics (fosstodon.org)`, `google-alerts`; any
 * other feed by its short address. (A topic's sources share its query: the query alone tells them apart neither
 * in full nor cut to a cell.)
 */
export function feedSourceLabel(url: string): string {
  const u = parsedUrl(url);
  if (u === null) return url;
  const kind = guessKind(u);
  const p = (k: string) => u.searchParams.get(k);
  switch (kind) {
    case 'google-news': {
      const [c, l] = (p('ceid') ?? '').split(':');
      return c && l ? `${kind} ${l}-${c}` : kind;
    }
    case 'bing-news':
      return p('setlang') && p('cc') ? `${kind} ${p('setlang')}-${p('cc')}` : kind;
    case 'reddit': {
      const sub = /^\/r\/([^/]+)/.exec(u.pathname)?.[1];
      return sub ? `${kind} r/${sub}` : kind;
    }
    case 'mastodon': {
      const tag = mastodonTag(u);
      const host = u.host === 'mastodon.social' ? '' : ` (${u.host})`;
      return tag ? `${kind} #${safeDecode(tag)}${host}` : kind;
    }
    case 'hackernews':
    case 'google-alerts':
      return kind;
    default:
      return shortFeedUrl(url);
  }
}

function parsedUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function feedHealthListing(rows: FeedHealthRow[], now: number): Listing<FeedHealthRow> {
  return { rows, json: feedHealthJson, columns: HEALTH_COLUMNS, table: (r, ctx) => healthTable(r, ctx, now) };
}

function healthTable(rows: FeedHealthRow[], ctx: RenderContext, now: number): string {
  if (rows.length === 0) return 'No feeds configured — add one with `momentscan feeds add URL`, or a topic with its search sources with `momentscan topics add NAME --keywords a,b --source google-news`.\n';
  const { chalk } = ctx;
  const cells: string[][] = [];
  const problems: { text: string; url: string }[] = [];
  // below 100 columns the table leaves out Items/day (in the machine formats: itemsPerDay), so that the three
  // text columns that name a feed keep room: at 80 they shared 35, the Feed cut to '"acme…'
  const narrow = tableWidth(ctx) < 100;
  for (const r of rows) {
    // failures in a row with the state ('failing ×3'): a Fails column of its own held 0 on every other row
    const state = r.state === 'ok' ? chalk.green('ok') : r.state === 'failing' ? chalk.red(r.consecutiveFailures > 0 ? `failing ×${r.consecutiveFailures}` : 'failing') : r.state === 'retired' ? chalk.dim('retired') : 'new';
    const name = stripControl(r.title ?? shortFeedUrl(r.url));
    cells.push([
      name,
      stripControl(r.topics.join(', ') || '(all topics)'),
      stripControl(feedSourceLabel(r.url)),
      state,
      r.lastSuccessAt === null ? 'never' : ago(now - r.lastSuccessAt),
      ...(narrow ? [] : [r.itemsPerDay.toFixed(1)]),
    ]);
    const problem = r.error ?? (r.overflows > 0 ? `${r.overflows} fetches may have dropped items` : null);
    // in full, under the table: a cell would cut it
    // (a time in it on the team's clock: '… retried by the first fetch after 2026-11-20 14:00 CET')
    if (problem) problems.push({ text: `${chalk.bold(name)}: ${zonedText(stripControl(problem), ctx.timeZone)}`, url: stripControl(r.url) });
  }
  const stateWidth = Math.max(9, ...cells.map((c) => shownWidth(c[3]!.replace(/\x1b\[[0-9;]*m/g, '')) + 2));
  const table = drawTable(
    // the Source (what tells a topic's feeds apart) whole first, then the Topic; the Feed takes the rest, and
    // keeps 16 columns at 80 ('google-news en-US', 'Northwind Airlines' and '"acme robotics" - …' whole or nearly)
    narrow
      ? { head: ['Feed', 'Topic', 'Source', 'State', 'Last ok'], widths: ['fill', 'fill', 'fill', stateWidth, 10], minFill: 16, fit: [{ col: 2, max: 19 }, { col: 1, max: 20 }] }
      : { head: ['Feed', 'Topic', 'Source', 'State', 'Last ok', 'Items/day'], widths: ['fill', 'fill', 'fill', stateWidth, 10, 11], right: [5], minFill: 8, fit: [{ col: 2, max: 26 }, { col: 1, max: 24 }] },
    cells,
    ctx,
  );
  // in full, word-wrapped to the terminal (as notify list's are: a line ran to 150 columns), the feed's address
  // on a line of its own under it, whole
  const width = tableWidth(ctx);
  const lines = problems.flatMap((p) => [...wrapShown(p.text, width, '  ', '    '), `    ${p.url}`]);
  return problems.length ? `${table}\nProblems:\n${lines.map((l) => `${l}\n`).join('')}` : table;
}

/** An item as `momentscan feeds test` shows what would be stored. */
export function testItemJson(it: EnrichedItem): Record<string, unknown> {
  return {
    title: it.title,
    guid: it.guid,
    link: it.link,
    canonicalUrl: it.canonicalUrl,
    // as `items` shows the stored item: the publisher's name, else its domain
    source: it.source ?? it.sourceDomain,
    sourceDomain: it.sourceDomain,
    author: it.author,
    publishedAt: iso(it.publishedAt),
    dateEstimated: it.dateEstimated,
    sentiment: it.sentiment,
    topics: it.topics,
    summary: it.summary,
  };
}

const TEST_COLUMNS: Column<EnrichedItem>[] = Object.keys(testItemJson({ topics: [], publishedAt: 0 } as unknown as EnrichedItem)).map((key) => ({
  key,
  value: (it: EnrichedItem) => {
    const v = testItemJson(it)[key];
    return Array.isArray(v) ? v.join('; ') : (v as string | number | boolean | null);
  },
}));

export function testItemsListing(items: EnrichedItem[], feedTitle: string | null): Listing<EnrichedItem> {
  return {
    rows: items,
    json: testItemJson,
    columns: TEST_COLUMNS,
    table: (rows, ctx) => {
      const head = `${wrapShown(`${cellText(feedTitle ?? '(untitled feed)')}: ${rows.length} item${rows.length === 1 ? '' : 's'}`, tableWidth(ctx), '', '  ').join('\n')}\n`;
      if (rows.length === 0) return head;
      const cells: string[][] = [];
      const published = timeColumn('Published', rows.map((it) => it.publishedAt), ctx.timeZone);
      for (const it of rows) {
        cells.push([
          String(cells.length + 1),
          `${published.cell(it.publishedAt)}${it.dateEstimated ? '*' : ''}`,
          it.sentiment === null ? '' : it.sentiment.toFixed(2),
          stripControl(it.topics.join(', ')),
          stripControl(it.title),
        ]);
      }
      const note = rows.some((it) => it.dateEstimated) ? '* no date in the feed: the fetch time is used\n' : '';
      const table = drawTable({ head: ['#', published.head, 'Tone', 'Topics', 'Title'], widths: [5, published.width + 1, 7, 16, 'fill'], right: [0, 2] }, cells, ctx);
      // publisher and link in full, one line per item, under the table: a cell would cut the link
      // (wrapped to the terminal: a link that does not fit beside its publisher goes on a line of its own, whole)
      const links = rows
        .flatMap((it, i) => {
          const [n, publisher, link] = [`${String(i + 1).padStart(4)}  `, cellText(it.source ?? it.sourceDomain ?? '(no publisher)'), cellText(it.link ?? '(no link)')];
          const line = `${n}${publisher}  ${link}`;
          return shownWidth(line) <= tableWidth(ctx) ? [line] : [...wrapShown(publisher, tableWidth(ctx), n, '      '), `      ${link}`];
        })
        .map((l) => `${l}\n`)
        .join('');
      return `${head}${table}${note}\nPublishers and links:\n${links}`;
    },
  };
}
