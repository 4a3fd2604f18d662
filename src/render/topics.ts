import { iso, fmtUtcShort } from '../core/time.js';
import { stripControl } from '../core/text.js';
import { drawTable, tableWidth } from './table.js';
import { wrapShown } from './text.js';
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

/** Learning state in words: "learning until 2026-11-21 06:00", "no items yet", "judged". */
export function learningText(r: Pick<TopicRow, 'learning' | 'learningUntil'>): string {
  if (r.learningUntil === null) return 'no items yet';
  return r.learning ? `learning to ${fmtUtcShort(r.learningUntil)}` : 'judged';
}

export function topicsListing(rows: TopicRow[]): Listing<TopicRow> {
  return { rows, json: topicJson, columns: COLUMNS, table: topicsTable };
}

function topicsTable(rows: TopicRow[], ctx: RenderContext): string {
  if (rows.length === 0) return 'No topics configured.\n';
  // on a narrow terminal (80 columns) the query gives way, so that the topic's name stays readable (it had
  // 3 columns: "Ac…"), and is shown in full under the table instead
  const withQuery = tableWidth(ctx) - FIXED - 7 >= 2 * MIN_NAME;
  const query = (r: TopicRow) => stripControl(r.query ?? '(every item of its feeds)');
  const cells = rows.map((r) => [
    stripControl(r.name),
    ...(withQuery ? [query(r)] : []),
    String(r.feeds),
    String(r.items),
    r.learning && r.learningUntil !== null ? `learning to ${iso(r.learningUntil).slice(0, 10)}` : learningText(r),
    r.lastMoment ? `${r.lastMoment.kind === 'volume-spike' ? 'spike' : `${r.lastMoment.direction.slice(0, 3)}. shift`} ${iso(r.lastMoment.end).slice(0, 10)}` : '',
  ]);
  const table = withQuery
    ? drawTable({ head: ['Topic', 'Query', 'Feeds', 'Items', 'State', 'Last moment'], widths: ['fill', 'fill', 7, 8, 24, 23], right: [2, 3], minFill: 8 }, cells, ctx)
    : drawTable({ head: ['Topic', 'Feeds', 'Items', 'State', 'Last moment'], widths: ['fill', 7, 8, 24, 23], right: [1, 2] }, cells, ctx);
  const width = tableWidth(ctx);
  const under = (r: TopicRow, text: string) => wrapShown(text, width, `  ${stripControl(r.name)}: `, '    ');
  const queries = withQuery ? [] : ['Queries:', ...rows.flatMap((r) => under(r, query(r)))];
  // the threshold each topic alerts at, and why: the sensitivity's, or moved by labels (wrapped to the terminal)
  const lines = ['Thresholds (surprise to alert):', ...rows.flatMap((r) => under(r, `${r.threshold.why}${labelsText(r.labels)}`))];
  return `${table}${[...queries, ...lines].join('\n')}\n`;
}

/** The topics table's fixed columns (Feeds, Items, State, Last moment), and the least each of Topic and Query keeps. */
const FIXED = 7 + 8 + 24 + 23;
const MIN_NAME = 14;

function labelsText(l: TopicRow['labels']): string {
  const n = l.real + l.noise + l.planned;
  return n ? `; labels: ${l.real} real, ${l.noise} noise, ${l.planned} planned` : '';
}
