import { iso } from '../core/time.js';
import { stripControl } from '../core/text.js';
import { cellText, shownAt, textWidth, timeColumn, wrapShown } from './text.js';
import type { ItemRow } from '../moments/types.js';
import { displayWidth, drawTable, tableWidth } from './table.js';
import type { Column, Listing, RenderContext, Sheet } from './types.js';

export type { ItemRow } from '../moments/types.js';

export function itemJson(r: ItemRow): Record<string, unknown> {
  return {
    id: r.id,
    publishedAt: iso(r.publishedAt),
    title: r.title,
    link: r.link,
    source: r.source ?? r.sourceDomain,
    sourceDomain: r.sourceDomain,
    feedUrl: r.feedUrl,
    feedKind: r.feedKind,
    language: r.language,
    sentiment: r.sentiment,
    storyId: r.storyId,
    topics: r.topics,
    accounts: r.accounts.map((a) => ({ id: a.id, name: a.name, domain: a.domain, matchType: a.matchType, confidence: a.confidence })),
    ...(r.why ? { why: r.why } : {}),
    summary: r.summary,
  };
}

const COLUMNS: Column<ItemRow>[] = [
  { key: 'id', value: (r) => r.id },
  { key: 'publishedAt', value: (r) => iso(r.publishedAt) },
  { key: 'title', value: (r) => r.title },
  { key: 'link', value: (r) => r.link },
  { key: 'source', value: (r) => r.source ?? r.sourceDomain },
  { key: 'sourceDomain', value: (r) => r.sourceDomain },
  { key: 'feedUrl', value: (r) => r.feedUrl },
  { key: 'feedKind', value: (r) => r.feedKind },
  { key: 'language', value: (r) => r.language },
  { key: 'sentiment', value: (r) => r.sentiment },
  { key: 'storyId', value: (r) => r.storyId },
  { key: 'topics', value: (r) => r.topics.join('; ') },
  { key: 'accounts', value: (r) => r.accounts.map((a) => a.name).join('; ') },
  { key: 'why', value: (r) => (r.why ? Object.entries(r.why).map(([t, terms]) => `${t}: ${terms.join(', ')}`).join('; ') : null) },
  { key: 'summary', value: (r) => r.summary },
];

/** The period listed; what filtered it (to say why a listing is empty); false `stored`: the database holds no item at all. */
export type ItemsMeta = { from: number; to: number; topics?: string[]; search?: string; stored?: boolean; noConfig?: boolean };

export function itemsListing(rows: ItemRow[], meta: ItemsMeta): Listing<ItemRow> {
  return { rows, ...itemsSheet(meta) };
}

/** The items' sheet, for rows that stream by (every format but the table writes them as they come). */
export function itemsSheet(meta: ItemsMeta): Sheet<ItemRow> {
  return { json: itemJson, columns: COLUMNS, table: (r, ctx) => itemsTable(r, ctx, meta) };
}

/**
 * The widths of the Source and Topics columns (cells 2 and 3): as wide as their longest cell up to 16 columns
 * (narrower at 80 columns, so that the title keeps 24), and wider (the topics first) only with what the title can spare beyond 40 columns: on a wide terminal
 * "Northwind Airlines" and "The Points Traveler" are whole (they were cut at 16 whatever the width).
 */
function shortColumns(cells: string[][], total: number, publishedWidth: number): [number, number] {
  const need = (i: number, head: string, max: number) => Math.min(max, cells.reduce((w, r) => Math.max(w, displayWidth(r[i] ?? '')), textWidth(head)) + 2);
  const topicsNeed = need(3, 'Topics', 42);
  const sourceNeed = need(2, 'Source', 30);
  let topics = Math.min(16, topicsNeed);
  let source = Math.min(16, sourceNeed);
  // on a narrow terminal the title keeps 24 columns (it had 17 at 80): the wider of the two gives way, down to 10
  const fixed = 6 + publishedWidth + 7; // 6 borders, Published and Tone
  while (total - fixed - topics - source < 24 && Math.max(topics, source) > 10) {
    if (topics > source) topics--;
    else source--;
  }
  // what is left for the title beyond 40 columns
  let spare = total - fixed - topics - source - 40;
  const grow = (now: number, want: number) => {
    const more = Math.max(0, Math.min(want - now, spare));
    spare -= more;
    return now + more;
  };
  topics = grow(topics, topicsNeed);
  source = grow(source, sourceNeed);
  return [source, topics];
}

/** Why there is nothing to list: nothing stored at all, or nothing of these topics, this search, in this period. */
function noItems(meta: ItemsMeta, tz?: string): string {
  if (meta.stored === false && meta.noConfig) return 'No items are stored yet, and there is no config — write one with `momentscan init`, then `momentscan fetch`.\n';
  if (meta.stored === false) return 'No items are stored yet — fetch the feeds with `momentscan fetch` (`momentscan feeds list` shows how they fare).\n';
  const of = meta.topics?.length ? ` of ${meta.topics.map(stripControl).join(' or ')}` : '';
  const matching = meta.search !== undefined ? ` matching ${JSON.stringify(stripControl(meta.search))}` : '';
  return `No items${of}${matching} from ${shownAt(meta.from, tz)} to ${shownAt(meta.to, tz)}.\n`;
}

function itemsTable(rows: ItemRow[], ctx: RenderContext, meta: ItemsMeta): string {
  if (rows.length === 0) return noItems(meta, ctx.timeZone);
  const { chalk } = ctx;
  const cells: string[][] = [];
  // a column of accounts when some item involves one (narrower source and topics make room at 80 columns)
  const withAccounts = rows.some((r) => r.accounts.length > 0);
  const published = timeColumn('Published', rows.map((r) => r.publishedAt), ctx.timeZone);
  for (const r of rows) {
    const tone = r.sentiment === null ? '' : r.sentiment <= -0.2 ? chalk.red(r.sentiment.toFixed(2)) : r.sentiment >= 0.2 ? chalk.green(r.sentiment.toFixed(2)) : r.sentiment.toFixed(2);
    cells.push([
      published.cell(r.publishedAt),
      tone,
      stripControl(r.source ?? r.sourceDomain ?? ''),
      stripControl(r.topics.join(', ')),
      ...(withAccounts ? [stripControl(r.accounts.map((a) => a.name).join(', '))] : []),
      stripControl(r.title),
    ]);
  }
  let out = withAccounts
    ? // source, topics and accounts as wide as they need (up to a point), the title keeping 22 columns at 80 (it had 13)
      drawTable(
        { head: [published.head, 'Tone', 'Source', 'Topics', 'Accounts', 'Title'], widths: [published.width, 7, 'fill', 'fill', 'fill', 'fill'], right: [1], minFill: 22, fit: [{ col: 4, max: 20 }, { col: 3, max: 18 }, { col: 2, max: 16 }] },
        cells,
        ctx,
      )
    : drawTable({ head: [published.head, 'Tone', 'Source', 'Topics', 'Title'], widths: [published.width, 7, ...shortColumns(cells, tableWidth(ctx), published.width), 'fill'], right: [1], minFill: 14 }, cells, ctx);
  if (rows.some((r) => r.why)) {
    out += '\n';
    for (const r of rows) {
      if (!r.why) continue;
      // wrapped to the terminal; the link on a line of its own, whole
      const lines = wrapShown(stripControl(r.title), tableWidth(ctx), '', '   ');
      if (r.link) lines.push(`   ${chalk.cyan(cellText(r.link))}`);
      for (const [topic, terms] of Object.entries(r.why)) {
        lines.push(...wrapShown(`${stripControl(topic)}: ${terms.length ? terms.map(stripControl).join(', ') : '(no longer matches the current query)'}`, tableWidth(ctx), '   ', '     '));
      }
      out += lines.map((l) => `${l}\n`).join('');
    }
  }
  return out;
}
