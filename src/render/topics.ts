import { iso, fmtIn, fmtShortIn, fmtUtcShort, zonedDate } from '../core/time.js';
import { stripControl } from '../core/text.js';
import { drawTable, tableWidth } from './table.js';
import { textWidth, wrapShown } from './text.js';
import type { Threshold, TopicRow } from '../moments/types.js';
import type { Column, Listing, RenderContext } from './types.js';

export type { TopicRow } from '../moments/types.js';

export function topicJson(r: TopicRow): Record<string, unknown> {
  return {
    name: r.name,
    query: r.query,
    feeds: r.feeds,
    sources: r.sources,
    items: r.items,
    stories: r.stories,
    firstItemAt: r.firstItemAt === null ? null : iso(r.firstItemAt),
    learning: r.learning,
    learningUntil: r.learningUntil === null ? null : iso(r.learningUntil),
    lastMoment: r.lastMoment && { ...r.lastMoment, start: iso(r.lastMoment.start), end: iso(r.lastMoment.end) },
    ...thresholdJson(r.threshold),
    labels: r.labels,
  };
}

/** A topic's threshold as JSON (see README, "Thresholds that learn"). */
export function thresholdJson(t: Threshold): Record<string, unknown> {
  return {
    threshold: t.level,
    thresholdBase: t.base,
    thresholdSource: t.source,
    thresholdWhy: t.why,
    thresholdPending: t.pending,
    adjustments: t.adjustments.map((a) => ({ at: iso(a.at), from: a.from, to: a.to, reason: a.reason, momentIds: a.momentIds })),
  };
}

const COLUMNS: Column<TopicRow>[] = [
  { key: 'name', value: (r) => r.name },
  { key: 'query', value: (r) => r.query },
  { key: 'feeds', value: (r) => r.feeds },
  { key: 'sources', value: (r) => r.sources.join('; ') },
  { key: 'items', value: (r) => r.items },
  { key: 'stories', value: (r) => r.stories },
  { key: 'firstItemAt', value: (r) => (r.firstItemAt === null ? null : iso(r.firstItemAt)) },
  { key: 'learning', value: (r) => r.learning },
  { key: 'learningUntil', value: (r) => (r.learningUntil === null ? null : iso(r.learningUntil)) },
  { key: 'lastMoment', value: (r) => (r.lastMoment ? `${momentName(r.lastMoment)} ${iso(r.lastMoment.end)}` : null) },
  { key: 'threshold', value: (r) => r.threshold.level },
  { key: 'thresholdBase', value: (r) => r.threshold.base },
  { key: 'thresholdSource', value: (r) => r.threshold.source },
  { key: 'thresholdWhy', value: (r) => r.threshold.why },
  { key: 'thresholdPending', value: (r) => r.threshold.pending },
  { key: 'adjustments', value: (r) => r.threshold.adjustments.length },
  { key: 'labelsReal', value: (r) => r.labels.real },
  { key: 'labelsNoise', value: (r) => r.labels.noise },
  { key: 'labelsPlanned', value: (r) => r.labels.planned },
];

function momentName(m: { kind: string; direction: string }): string {
  return m.kind === 'volume-spike' ? 'spike' : `${m.direction} shift`;
}

/** Learning state in words: "learning to 2026-11-21 06:00" (in UTC; "… 07:00 CET" in a team's zone `tz`), "no items yet", "judged". */
export function learningText(r: Pick<TopicRow, 'learning' | 'learningUntil'>, tz = 'UTC'): string {
  if (r.learningUntil === null) return 'no items yet';
  return r.learning ? `learning to ${tz === 'UTC' ? fmtUtcShort(r.learningUntil) : fmtIn(r.learningUntil, tz)}` : 'judged';
}

export function topicsListing(rows: TopicRow[]): Listing<TopicRow> {
  return { rows, json: topicJson, columns: COLUMNS, table: topicsTable };
}

function topicsTable(rows: TopicRow[], ctx: RenderContext): string {
  if (rows.length === 0) return 'No topics configured — add one with `momentscan topics add NAME --keywords a,b`, or write a commented starter config with `momentscan init`.\n';
  const query = (r: TopicRow) => stripControl(r.query ?? '(every item of its feeds)');
  // State and Last moment as wide as what they show ("judged" took 24 columns, and the topic's name 10 at
  // 80); their dates this year as "23 Nov" when the names would not fit whole beside 2026-11-23; the name as
  // wide as it is (up to 30), the query what is left
  const fitted = (head: string, texts: string[]) => texts.reduce((w, t) => Math.max(w, textWidth(t)), textWidth(head)) + 2;
  const names = fitted('Topic', rows.map((r) => stripControl(r.name)));
  const columns = (day: (t: number) => string) => {
    const state = rows.map((r) => (r.learning && r.learningUntil !== null ? `learning to ${day(r.learningUntil)}` : learningText(r)));
    const last = rows.map((r) => (r.lastMoment ? `${r.lastMoment.kind === 'volume-spike' ? 'spike' : `${r.lastMoment.direction.slice(0, 3)}. shift`} ${day(r.lastMoment.end)}` : ''));
    return { state, last, fixed: [7, 8, fitted('State', state), fitted('Last moment', last)] };
  };
  // days on the team's calendar (UTC unless one is set)
  const tz = ctx.timeZone ?? 'UTC';
  const date = (t: number) => fmtShortIn(t, tz).slice(0, 10);
  const year = zonedDate(ctx.now, tz).year;
  let { state, last, fixed } = columns(date);
  if (tableWidth(ctx) - fixed.reduce((a, b) => a + b, 0) - 6 < Math.min(32, names)) {
    ({ state, last, fixed } = columns((t) => {
      const d = zonedDate(t, tz);
      return d.year === year ? `${d.day} ${MONTHS[d.month - 1]}` : date(t);
    }));
  }
  // the query has a column when it fits whole there or gets 30 columns; otherwise (at 80 columns, say) it gives
  // way, so that the topic's name stays readable, and is listed whole under the table
  const queryRoom = tableWidth(ctx) - fixed.reduce((a, b) => a + b, 0) - 7 - Math.min(32, Math.max(MIN_NAME, names));
  const withQuery = queryRoom >= Math.min(30, fitted('Query', rows.map(query))) && queryRoom >= MIN_NAME;
  const cells = rows.map((r, i) => [stripControl(r.name), ...(withQuery ? [query(r)] : []), String(r.feeds), String(r.items), state[i]!, last[i]!]);
  const table = withQuery
    ? drawTable({ head: ['Topic', 'Query', 'Feeds', 'Items', 'State', 'Last moment'], widths: ['fill', 'fill', ...fixed], right: [2, 3], minFill: MIN_NAME, fit: [{ col: 0, max: 32 }] }, cells, ctx)
    : drawTable({ head: ['Topic', 'Feeds', 'Items', 'State', 'Last moment'], widths: ['fill', ...fixed], right: [1, 2] }, cells, ctx);
  const width = tableWidth(ctx);
  const under = (r: TopicRow, text: string) => wrapShown(text, width, `  ${stripControl(r.name)}: `, '    ');
  const queries = withQuery ? [] : ['Queries:', ...rows.flatMap((r) => under(r, query(r)))];
  // the threshold each topic alerts at, and why: the sensitivity's, or moved by labels (wrapped to the terminal)
  const lines = ['Thresholds (surprise to alert):', ...rows.flatMap((r) => under(r, `${r.threshold.why}${labelsText(r.labels)}`))];
  return `${table}${[...queries, ...lines].join('\n')}\n`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The least each of Topic and Query keeps. */
const MIN_NAME = 14;

function labelsText(l: TopicRow['labels']): string {
  const n = l.real + l.noise + l.planned;
  return n ? `; labels: ${l.real} real, ${l.noise} noise, ${l.planned} planned` : '';
}
