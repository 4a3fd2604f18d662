import { iso } from '../core/time.js';
import { stripControl } from '../core/text.js';
import { drawTable } from './table.js';
import type { TopicRow } from '../moments/types.js';
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
];

function momentName(m: { kind: string; direction: string }): string {
  return m.kind === 'volume-spike' ? 'spike' : `${m.direction} shift`;
}

/** Learning state in words: "learning until 2026-11-21 06:00", "no items yet", "judged". */
export function learningText(r: Pick<TopicRow, 'learning' | 'learningUntil'>): string {
  if (r.learningUntil === null) return 'no items yet';
  return r.learning ? `learning to ${iso(r.learningUntil).slice(0, 16).replace('T', ' ')}` : 'judged';
}

export function topicsListing(rows: TopicRow[]): Listing<TopicRow> {
  return { rows, json: topicJson, columns: COLUMNS, table: topicsTable };
}

function topicsTable(rows: TopicRow[], ctx: RenderContext): string {
  if (rows.length === 0) return 'No topics configured.\n';
  const cells = rows.map((r) => [
    stripControl(r.name),
    stripControl(r.query ?? '(every item of its feeds)'),
    String(r.feeds),
    String(r.items),
    r.learning && r.learningUntil !== null ? `learning to ${iso(r.learningUntil).slice(0, 10)}` : learningText(r),
    r.lastMoment ? `${r.lastMoment.kind === 'volume-spike' ? 'spike' : `${r.lastMoment.direction.slice(0, 3)}. shift`} ${iso(r.lastMoment.end).slice(0, 10)}` : '',
  ]);
  return drawTable({ head: ['Topic', 'Query', 'Feeds', 'Items', 'State', 'Last moment'], widths: ['fill', 'fill', 7, 8, 24, 23], right: [2, 3], minFill: 8 }, cells, ctx);
}
