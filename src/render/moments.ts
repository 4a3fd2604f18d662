import type { MomentAccount } from '../core/types.js';
import type { MomentRow } from '../moments/types.js';
import { formatDuration, iso } from '../core/time.js';
import { stripControl } from '../core/text.js';
import { ago, cellText, clip, NB, fmtNum, fmtSigned, plural, shownAt, shownSpan, shownWidth, sparkline, textWidth, wrap, wrapShown, zonedText } from './text.js';
import { drawTable, tableWidth } from './table.js';
import type { Column, Listing, RenderContext } from './types.js';

export type { MomentRow } from '../moments/types.js';
import type { Threshold } from '../moments/types.js';
import type { PlannedEvent } from '../store/model.js';
import type { LabelReplay } from '../moments/replay.js';


/** The documented JSON record of a moment (see README, "JSON fields"). */
export function momentJson(m: MomentRow): Record<string, unknown> {
  return {
    id: m.id,
    rank: m.rank,
    topic: m.topic,
    kind: m.kind,
    direction: m.direction,
    score: m.score,
    attention: m.attention,
    pValue: m.pValue,
    start: iso(m.start),
    peak: iso(m.peak),
    end: iso(m.end),
    ongoing: m.ongoing,
    stage: m.stage,
    firedAt: iso(m.firedAt),
    alerts: m.alerts,
    alertedAt: iso(m.alertedAt),
    storySeries: m.storySeries,
    hoursSinceOnset: m.hoursSinceOnset,
    growth: m.growth,
    bucket: formatDuration(m.bucketMs),
    observed: m.observed,
    expected: m.expected,
    ratio: ratio(m),
    totalStories: m.totalStories,
    expectedTotal: m.expectedTotal,
    totalItems: m.totalItems,
    echo: echo(m),
    sentimentNow: m.sentimentNow,
    sentimentBaseline: m.sentimentBaseline,
    sentimentItems: m.sentimentItems,
    distinctSources: m.distinctSources,
    topSources: m.topSources,
    sourceTypes: m.sourceTypes,
    topTerms: m.topTerms,
    examples: m.examples.map((e) => ({
      title: e.title,
      link: e.link,
      source: e.source,
      publishedAt: iso(e.publishedAt),
      sentiment: e.sentiment,
    })),
    caveats: m.caveats,
    accounts: accountsOf(m).map((a) => ({ id: a.id, name: a.name, domain: a.domain, items: a.items, confidence: a.confidence })),
    firstSeenAt: iso(m.firstSeenAt),
    planned: m.planned,
    events: m.events.map(eventJson),
    label: m.label && { verdict: m.label.verdict, note: m.label.note, at: iso(m.label.at) },
  };
}

/** A planned event as a moment's JSON names it (and `events list --json`). */
export function eventJson(e: PlannedEvent): Record<string, unknown> {
  return {
    id: e.id,
    topic: e.topic,
    uid: e.uid,
    start: iso(e.start),
    end: iso(e.end),
    lead: formatDuration(e.leadMs),
    lag: formatDuration(e.lagMs),
    note: e.note,
    categories: e.categories,
    source: e.source,
  };
}

/** How a moment is marked in the table, before its headline: [planned], [noise], [planned, real] ('' when neither). */
export function marks(m: Pick<MomentRow, 'planned' | 'label'>): string {
  const out: string[] = [];
  if (m.planned) out.push('planned');
  if (m.label && m.label.verdict !== 'planned') out.push(m.label.verdict);
  return out.length ? `[${out.join(', ')}] ` : '';
}

/** The known accounts a moment involves ([] when none, or none are known). */
export function accountsOf(m: { accounts?: MomentAccount[] | undefined }): MomentAccount[] {
  return m.accounts ?? [];
}

/** "Acme (12), Globex (3)": the accounts and how many of the moment's items involve each. */
export function accountsText(m: { accounts?: MomentAccount[] | undefined }, max = 5): string {
  const list = accountsOf(m);
  const shown = list.slice(0, max).map((a) => `${stripControl(a.name)} (${a.items})`).join(', ');
  return list.length > max ? `${shown} and ${list.length - max} more` : shown;
}

function echo(m: MomentRow): number | null {
  return m.totalStories > 0 ? Math.round((m.totalItems / m.totalStories) * 100) / 100 : null;
}

function ratio(m: MomentRow): number | null {
  return m.expected > 0 ? Math.round((m.observed / m.expected) * 10) / 10 : null;
}

const COLUMNS: Column<MomentRow>[] = [
  { key: 'id', value: (m) => m.id },
  { key: 'rank', value: (m) => m.rank },
  { key: 'topic', value: (m) => m.topic },
  { key: 'kind', value: (m) => m.kind },
  { key: 'direction', value: (m) => m.direction },
  { key: 'score', value: (m) => m.score },
  { key: 'attention', value: (m) => m.attention },
  { key: 'pValue', value: (m) => m.pValue },
  { key: 'start', value: (m) => iso(m.start) },
  { key: 'peak', value: (m) => iso(m.peak) },
  { key: 'end', value: (m) => iso(m.end) },
  { key: 'ongoing', value: (m) => m.ongoing },
  { key: 'stage', value: (m) => m.stage },
  { key: 'firedAt', value: (m) => iso(m.firedAt) },
  { key: 'alerts', value: (m) => m.alerts },
  { key: 'alertedAt', value: (m) => iso(m.alertedAt) },
  { key: 'storySeries', value: (m) => m.storySeries.join(' ') },
  { key: 'hoursSinceOnset', value: (m) => m.hoursSinceOnset },
  { key: 'growth', value: (m) => m.growth },
  { key: 'bucket', value: (m) => formatDuration(m.bucketMs) },
  { key: 'observed', value: (m) => m.observed },
  { key: 'expected', value: (m) => m.expected },
  { key: 'ratio', value: (m) => ratio(m) },
  { key: 'totalStories', value: (m) => m.totalStories },
  { key: 'expectedTotal', value: (m) => m.expectedTotal },
  { key: 'totalItems', value: (m) => m.totalItems },
  { key: 'echo', value: (m) => echo(m) },
  { key: 'sentimentNow', value: (m) => m.sentimentNow },
  { key: 'sentimentBaseline', value: (m) => m.sentimentBaseline },
  { key: 'sentimentItems', value: (m) => m.sentimentItems },
  { key: 'distinctSources', value: (m) => m.distinctSources },
  { key: 'topSources', value: (m) => m.topSources.join('; ') },
  { key: 'sourceTypes', value: (m) => m.sourceTypes.join('; ') },
  { key: 'topTerms', value: (m) => m.topTerms.join('; ') },
  { key: 'topTitle', value: (m) => m.examples[0]?.title ?? null },
  { key: 'topLink', value: (m) => m.examples[0]?.link ?? null },
  { key: 'caveats', value: (m) => m.caveats.join('; ') },
  { key: 'accounts', value: (m) => accountsOf(m).map((a) => a.name).join('; ') },
  { key: 'firstSeenAt', value: (m) => iso(m.firstSeenAt) },
  { key: 'planned', value: (m) => m.planned },
  { key: 'events', value: (m) => m.events.map((e) => e.id).join('; ') },
  { key: 'eventNotes', value: (m) => m.events.map((e) => e.note ?? '').filter(Boolean).join('; ') },
  { key: 'label', value: (m) => m.label?.verdict ?? null },
  { key: 'labelNote', value: (m) => m.label?.note ?? null },
];

/** What could not be judged at the evaluation time, and why (see evaluate). */
export interface Readiness {
  /** False when the database holds no items at all: fetch never ran, or found nothing. */
  itemsStored?: boolean;
  /** Topics still learning: from when they will be judged (null: no items for the topic yet); firstItemAt: none by the evaluation time, the first then. */
  learning?: { topic: string; until: number | null; firstItemAt?: number }[];
}

export type ListingMeta = { topics: number; from: number; asOf: number; thresholds?: ReadonlyMap<string, Threshold> } & Readiness;

/**
 * Why some or all topics could not be judged, a sentence each, for people: in the table, or on stderr
 * beside machine output. A `warning` is worth saying even with --quiet (nothing will ever be found).
 */
export function readinessNotes(r: Readiness, tz?: string): { level: 'warning' | 'note'; text: string }[] {
  if (r.itemsStored === false) {
    return [{ level: 'warning', text: 'no items are stored yet, so there is nothing to judge — fetch the feeds with `momentscan fetch` (`momentscan feeds list` shows how they fare)' }];
  }
  return (r.learning ?? []).map(({ topic, until, firstItemAt }) => ({
    level: 'note' as const,
    text:
      until === null ? `${stripControl(topic)}: no items yet, nothing to judge`
      : firstItemAt !== undefined ? `${stripControl(topic)}: no items by then, nothing to judge: the first is from ${shownAt(firstItemAt, tz)} — give a later --as-of`
      : `${stripControl(topic)}: still learning until ${shownAt(until, tz)}`,
  }));
}

export function momentsListing(rows: MomentRow[], meta: ListingMeta): Listing<MomentRow> {
  return { rows, json: momentJson, columns: COLUMNS, table: (r, ctx) => momentsTable(r, ctx, meta) };
}

function momentsTable(rows: MomentRow[], ctx: RenderContext, meta: ListingMeta): string {
  const { chalk } = ctx;
  const notes = readinessNotes(meta, ctx.timeZone).map((n) => `${n.level === 'warning' ? n.text[0]!.toUpperCase() + n.text.slice(1) : n.text}.\n`).join('');
  if (rows.length === 0) {
    // nothing stored: nothing was judged, so "No moments" would mislead; the note alone says what to do
    if (meta.itemsStored === false) return notes;
    return `No moments from ${shownAt(meta.from, ctx.timeZone)} to ${shownAt(meta.asOf, ctx.timeZone)} across ${meta.topics} topic${meta.topics === 1 ? '' : 's'}.\n${notes}`;
  }
  // Id, Topic, Moment, Score and When always; the headline takes what is left, and on a narrow terminal
  // the volume sparkline, then the tone, give way so that it keeps at least HEADLINE columns (the
  // moment's kind already says which way the tone went). Accounts get a column of their own when the
  // terminal has room for one beside the headline, and lead the headline otherwise (or go below it: see the labels).
  // (loops, not Math.max(...rows): a backtest may list more rows than a call takes arguments)
  const idWidth = rows.reduce((w, m) => Math.max(w, String(m.id ?? '-').length + 2), 4);
  const withAccounts = rows.some((m) => accountsOf(m).length > 0);
  // the accounts column as wide as its longest cell, between 12 and 34 columns
  const accountsWidth = Math.min(34, rows.reduce((w, m) => (accountsOf(m).length ? Math.max(w, textWidth(accountNames(m, 3)) + 2) : w), 12));
  // the topic as wide as its longest name, up to 15 columns; wider only with what the headline can spare
  // beyond 40 columns (at 132 columns it read "Northwind Ai…" beside a headline column of 59)
  const topicNeed = rows.reduce((w, m) => Math.max(w, textWidth(stripControl(m.topic)) + 2), 'Topic'.length + 2);
  let topicWidth = Math.min(MOMENT_COLUMNS.topic.width, topicNeed);
  const width = (c: MomentColumn) => (c === 'id' ? idWidth : c === 'accounts' ? accountsWidth : c === 'topic' ? topicWidth : MOMENT_COLUMNS[c].width);
  const room = (cols: readonly MomentColumn[]) => tableWidth(ctx) - (cols.length + 2) - cols.reduce((s, c) => s + width(c), 0);
  const cols: MomentColumn[] = ['id', 'topic', 'kind', 'score', 'when', 'volume', 'tone'];
  for (const drop of ['volume', 'tone'] as const) if (room(cols) < HEADLINE) cols.splice(cols.indexOf(drop), 1);
  const accountsColumn = withAccounts && room([...cols, 'accounts']) >= HEADLINE;
  if (accountsColumn) cols.push('accounts');
  topicWidth += Math.max(0, Math.min(Math.min(topicNeed, TOPIC_MAX) - topicWidth, room(cols) - HEADLINE_BEFORE_TOPIC));
  // The labels ([planned], [noise], [Acme Corp… +1]) lead the headline when it still keeps HEADLINE columns
  // (or all of its own) beside them; otherwise they give way to it, on a line of their own below it.
  const fill = room(cols) - 2; // the headline's columns: drawTable gives the one fill column all that is left
  const blank = cols.map(() => '');
  const cells: string[][] = [];
  for (const m of rows) {
    const title = stripControl(m.examples[0]?.title ?? '');
    const account = accountsOf(m).length > 0 && !accountsColumn;
    const lead = (m.planned ? chalk.cyan(marks(m)) : marks(m)) + (account ? chalk.bold(`[${accountNames(m, 1, 10)}] `) : '');
    const row = cols.map((c) => MOMENT_COLUMNS[c].cell(m, ctx, meta));
    if (lead === '' || shownWidth(lead) + Math.min(textWidth(title), HEADLINE - 2) <= fill) {
      cells.push([...row, lead + title]);
    } else {
      cells.push([...row, title], [...blank, labelLine(m, chalk, account, fill)]);
    }
  }
  const headline = withAccounts && !accountsColumn ? '[Accounts] top headline' : 'Top headline';
  let out = drawTable(
    {
      head: [...cols.map((c) => MOMENT_COLUMNS[c].head), headline],
      widths: [...cols.map(width), 'fill'],
      right: [cols.indexOf('id'), cols.indexOf('score')],
      minFill: HEADLINE,
    },
    cells,
    ctx,
  );
  if (ctx.verbose) {
    out += '\n';
    for (const m of rows) out += explainLines(m, chalk, tableWidth(ctx), meta.thresholds?.get(m.topic), ctx.timeZone) + '\n';
  } else if (ctx.tty) {
    // for people at a terminal; a pipe gets the table alone
    // sentence by sentence, so that the command to type is not broken over two lines
    const legend = [
      ...(cols.includes('volume') ? ['Volume: stories per bucket up to the moment.'] : []),
      'Use -v for explanations, --json for scripts.',
      'Label a moment: momentscan label ID real|noise|planned.',
    ];
    out += wrapSentences(legend, tableWidth(ctx)).map((l) => chalk.dim(l) + '\n').join('');
  }
  return out + notes;
}

/** Sentences on as few lines of `width` as fit whole; a sentence longer than a line is wrapped on lines of its own. */
function wrapSentences(sentences: string[], width: number): string[] {
  const lines: string[] = [];
  for (const s of sentences) {
    const last = lines.at(-1);
    if (last !== undefined && textWidth(last) + 1 + textWidth(s) <= width) lines[lines.length - 1] = `${last} ${s}`;
    else lines.push(...wrap(s, width, '', ''));
  }
  return lines;
}

/** The least room the headline keeps in the moments table before optional columns give way. */
const HEADLINE = 24;
/** The headline's columns before the Topic column takes more than 15 (a wide terminal's). */
const HEADLINE_BEFORE_TOPIC = 40;
/** The most the Topic column takes (with padding), however wide the terminal: longer names are cut. */
const TOPIC_MAX = 42;

type MomentColumn = 'id' | 'topic' | 'kind' | 'score' | 'when' | 'volume' | 'tone' | 'accounts';

/** The moments table's columns before the headline: heading, width (with padding) and cell. */
const MOMENT_COLUMNS: Record<MomentColumn, { head: string; width: number; cell: (m: MomentRow, ctx: RenderContext, meta: ListingMeta) => string }> = {
  id: { head: 'Id', width: 0, cell: (m) => (m.id === null ? '-' : String(m.id)) },
  topic: { head: 'Topic', width: 15, cell: (m) => stripControl(m.topic) },
  kind: {
    head: 'Moment',
    width: 12,
    cell: (m, { chalk }) => (m.kind === 'volume-spike' ? chalk.yellow('▲ spike') : m.direction === 'negative' ? chalk.red('▼ negative') : chalk.green('▲ positive')),
  },
  score: { head: 'Score', width: 7, cell: (m) => m.score.toFixed(1) },
  when: { head: 'When', width: 9, cell: (m, { chalk }, meta) => (m.ongoing ? chalk.bold(m.stage) : ago(meta.asOf - m.end)) },
  volume: { head: 'Volume', width: 10, cell: (m) => sparkline(m.storySeries.slice(-8)) },
  tone: { head: 'Tone', width: 7, cell: (m, { chalk }) => fmtTone(m.sentimentNow, chalk) },
  accounts: { head: 'Accounts', width: 0, cell: (m, { chalk }) => chalk.bold(accountNames(m, 3)) },
};

/** "Acme, Globex, …": the names of the first `max` accounts a moment involves (each cut to `width`; "+2" for the rest when cut). */
function accountNames(m: MomentRow, max: number, width = Infinity): string {
  const list = accountsOf(m);
  const names = list.slice(0, max).map((a) => clip(stripControl(a.name), width)).join(', ');
  return names + (list.length > max ? (width === Infinity ? ', …' : ` +${list.length - max}`) : '');
}

/**
 * A moment's labels on a line of their own, `width` columns at most: its marks, then (with `account`) its
 * first account, the name cut to the room left ("[planned] [Acme Corpor… +1]").
 */
function labelLine(m: MomentRow, chalk: RenderContext['chalk'], account: boolean, width: number): string {
  const mark = marks(m).trimEnd();
  const shown = mark && m.planned ? chalk.cyan(mark) : mark;
  if (!account) return shown;
  const count = accountsOf(m).length;
  const more = count > 1 ? ` +${count - 1}` : '';
  const left = width - (mark ? textWidth(mark) + 1 : 0) - 2 - more.length;
  return `${shown}${mark ? ' ' : ''}${chalk.bold(`[${clip(stripControl(accountsOf(m)[0]!.name), Math.max(1, left))}${more}]`)}`;
}

function explainLines(m: MomentRow, chalk: RenderContext['chalk'], width: number, threshold?: Threshold, tz = 'UTC'): string {
  const lines: string[] = [];
  // each fact wrapped to the terminal under its label; a link stands alone on its line, whole
  const fact = (label: string, text: string) => lines.push(...wrapShown(text, width, `   ${`${label} `.padEnd(10)}`, ' '.repeat(13)));
  const what = m.kind === 'volume-spike' ? 'volume spike' : `${m.direction} sentiment shift`;
  // a number stays on the line of what it counts (NB): 'moment' at the end of one line, '2' alone on the next
  const id = m.id === null ? 'not recorded' : `moment${NB}${m.id}`;
  lines.push(...wrapShown(`#${m.rank} ${stripControl(m.topic)}: ${what}, score${NB}${m.score.toFixed(1)} (p${NB}≈${NB}${m.pValue.toExponential(1)}), ${id}`, width, '', '   ').map((l) => chalk.bold(l)));
  fact('when:', `${shownSpan(m.start, m.end, tz)}, peak ${shownAt(m.peak, tz)}, ${formatDuration(m.bucketMs)} buckets; ${stageText(m, tz)}`);
  const copies = m.totalItems > m.totalStories ? ` (${m.totalItems}${NB}items with copies: echo${NB}${(m.totalItems / m.totalStories).toFixed(1)})` : '';
  fact('volume:', `${plural(m.observed, 'story', 'stories').replace(' ', NB)} in the peak bucket vs ${fmtNum(m.expected)}${NB}expected; ${m.totalStories} over the moment vs ${fmtNum(m.expectedTotal)}${copies}`);
  if (m.sentimentNow !== null || m.sentimentBaseline !== null) {
    fact('tone:', `${fmtSigned(m.sentimentNow)} now vs ${fmtSigned(m.sentimentBaseline)} baseline (${plural(m.sentimentItems, 'story', 'stories')} scored)`);
  }
  fact(
    'sources:',
    `${m.distinctSources} distinct${m.topSources.length ? `: ${m.topSources.map(stripControl).join(', ')}` : ''}${m.sourceTypes.length ? ` (${m.sourceTypes.join(', ')})` : ''}`,
  );
  if (m.topTerms.length) fact('terms:', m.topTerms.map(stripControl).join(', '));
  for (const c of m.caveats) fact('caveat:', zonedText(stripControl(c), tz));
  for (const e of m.events) fact('planned:', `event ${e.id}${e.note ? ` "${stripControl(e.note)}"` : ''}, ${shownSpan(e.start, e.end, tz)}${leadLag(e)}`);
  if (m.label) fact('label:', `${m.label.verdict}${m.label.note ? ` (${stripControl(m.label.note)})` : ''}, given ${shownAt(m.label.at, tz)}`);
  if (threshold) fact('threshold:', threshold.why);
  if (accountsOf(m).length) fact('accounts:', accountsText(m, 10));
  for (const e of m.examples) {
    fact('example:', `${stripControl(e.title)}${e.source ? ` (${stripControl(e.source)})` : ''}`);
    if (e.link) lines.push(`             ${chalk.cyan(cellText(e.link))}`);
  }
  return lines.join('\n');
}

/**
 * The stage in words, and how the moment's own last bucket compared with the one before it: 'fading, …
 * latest bucket ×2.5 the one before' read as a contradiction, the 'latest bucket' being the moment's last
 * (a late rise, a day and a half ago), not the latest there is, and 'fading' meaning it is over.
 */
function stageText(m: MomentRow, tz?: string): string {
  const stage = {
    new: 'new: it began in the latest bucket',
    rising: 'rising: its latest bucket is its strongest',
    peaked: 'peaked: still going, past its strongest',
    fading: `fading: over, not flagged after ${shownAt(m.end, tz)}`,
  }[m.stage];
  const what = m.kind === 'volume-spike' ? 'the stories' : 'the shift';
  const growth = m.growth === null ? '' : `; ${m.ongoing ? 'its latest bucket' : 'its last bucket'} had ${m.growth}${NB}times ${what} of the one before`;
  return `${stage}, ${m.hoursSinceOnset}h${NB}since onset${growth}`;
}

function leadLag(e: PlannedEvent): string {
  const parts = [e.leadMs ? `lead ${formatDuration(e.leadMs)}` : '', e.lagMs ? `lag ${formatDuration(e.lagMs)}` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function fmtTone(x: number | null, chalk: RenderContext['chalk']): string {
  const s = fmtSigned(x);
  if (x === null) return s;
  return x <= -0.2 ? chalk.red(s) : x >= 0.2 ? chalk.green(s) : s;
}

/** Alerts per topic per week over the replayed period: what the chosen sensitivity would have cost. */
export function backtestSummary(rows: { topic: string }[], topics: string[], from: number, to: number, tz = 'UTC'): string[] {
  const weeks = (to - from) / (7 * 86_400_000);
  const per = new Map(topics.map((t) => [t, 0]));
  for (const r of rows) per.set(r.topic, (per.get(r.topic) ?? 0) + 1);
  const fmt = (n: number) => (n / weeks).toFixed(n / weeks >= 10 ? 0 : 1);
  return [
    `backtest: ${shownSpan(from, to, tz)} (${weeks.toFixed(1)} weeks): ${rows.length} alert${rows.length === 1 ? '' : 's'}, ${fmt(rows.length)} a week`,
    ...[...per].map(([t, n]) => `backtest:   ${t}: ${n} alert${n === 1 ? '' : 's'}, ${fmt(n)} a week`),
  ];
}

/** What the backtest makes of the labels given on the period's moments (stderr, beside backtestSummary). */
export function backtestLabelLines(replay: LabelReplay[]): string[] {
  const labelled = replay.filter((r) => r.real + r.noise > 0);
  if (labelled.length === 0) return ['backtest: no labelled moments in the period (momentscan label ID real|noise teaches it)'];
  const sum = (f: (r: LabelReplay) => number) => labelled.reduce((s, r) => s + f(r), 0);
  const line = (r: Pick<LabelReplay, 'real' | 'caught' | 'noise' | 'raised'>) =>
    `caught ${r.caught} of ${r.real} labelled real moment${r.real === 1 ? '' : 's'}, raised ${r.raised} of ${r.noise} labelled noise`;
  return [
    `backtest: labels: ${line({ real: sum((r) => r.real), caught: sum((r) => r.caught), noise: sum((r) => r.noise), raised: sum((r) => r.raised) })}`,
    ...labelled.map(
      (r) =>
        `backtest:   ${stripControl(r.topic)}: ${line(r)}${r.missedIds.length ? `; missed ${r.missedIds.join(', ')}` : ''}${r.raisedIds.length ? `; raised noise ${r.raisedIds.join(', ')}` : ''}`,
    ),
  ];
}
