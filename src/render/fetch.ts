import { iso } from '../core/time.js';
import { fmtCount } from '../core/limits.js';
import { stripControl } from '../core/text.js';
import { drawTable, tableWidth } from './table.js';
import type { Column, Listing, RenderContext } from './types.js';
import { zonedText } from './text.js';
import type { FeedResult, FeedStatus, FetchSummary } from '../ingest/types.js';

export function feedResultJson(r: FeedResult): Record<string, unknown> {
  return {
    url: r.url,
    fetchUrl: r.fetchUrl,
    title: r.title,
    status: r.status,
    httpStatus: r.httpStatus,
    itemsSeen: r.itemsSeen,
    itemsNew: r.itemsNew,
    bytes: r.bytes,
    durationMs: r.durationMs,
    attempts: r.attempts,
    error: r.error,
    consecutiveFailures: r.consecutiveFailures,
    overflow: r.overflow,
    notice: r.notice,
    nextDueAt: r.nextDueAt === null ? null : iso(r.nextDueAt),
    fetchedAt: iso(r.fetchedAt),
  };
}

const COLUMNS: Column<FeedResult>[] = [
  { key: 'url', value: (r) => r.url },
  { key: 'fetchUrl', value: (r) => r.fetchUrl },
  { key: 'title', value: (r) => r.title },
  { key: 'status', value: (r) => r.status },
  { key: 'httpStatus', value: (r) => r.httpStatus },
  { key: 'itemsSeen', value: (r) => r.itemsSeen },
  { key: 'itemsNew', value: (r) => r.itemsNew },
  { key: 'bytes', value: (r) => r.bytes },
  { key: 'durationMs', value: (r) => r.durationMs },
  { key: 'attempts', value: (r) => r.attempts },
  { key: 'error', value: (r) => r.error },
  { key: 'consecutiveFailures', value: (r) => r.consecutiveFailures },
  { key: 'overflow', value: (r) => r.overflow },
  { key: 'notice', value: (r) => r.notice },
  { key: 'nextDueAt', value: (r) => (r.nextDueAt === null ? null : iso(r.nextDueAt)) },
  { key: 'fetchedAt', value: (r) => iso(r.fetchedAt) },
];

export function fetchListing(rows: FeedResult[]): Listing<FeedResult> {
  return { rows, json: feedResultJson, columns: COLUMNS, table: fetchTable };
}

function fetchTable(rows: FeedResult[], ctx: RenderContext): string {
  const cells: string[][] = [];
  const { chalk } = ctx;
  for (const r of rows) {
    const status =
      r.status === 'failed' ? chalk.red('failed') : r.status === 'ok' ? chalk.green('ok') : r.status === 'skipped' ? chalk.dim('skipped') : 'not modified';
    cells.push([stripControl(r.title ?? r.url), status, String(r.itemsNew), String(r.itemsSeen), zonedText(stripControl(r.error ?? r.notice ?? ''), ctx.timeZone)]);
  }
  // the note as wide as the longest (up to half of what the two share), the feed the rest: with no notes the
  // feed's name was cut to 21 columns at 80 beside an empty Note column of 23
  // (New and Seen bare, without a thousands separator: 99999 fits their 7 columns, 99,999 would not)
  const half = Math.floor((tableWidth(ctx) - 14 - 7 - 7 - 6) / 2);
  return drawTable({ head: ['Feed', 'Status', 'New', 'Seen', 'Note'], widths: ['fill', 14, 7, 7, 'fill'], right: [2, 3], minFill: 14, fit: [{ col: 4, max: half }] }, cells, ctx);
}

/** The one-line run summary written to stderr. */
export function fetchSummaryLine(s: FetchSummary): string {
  const count = (st: FeedStatus) => s.feeds.filter((f) => f.status === st).length;
  const newItems = s.feeds.reduce((a, f) => a + f.itemsNew, 0);
  // (counts with a thousands separator, as every other output: '1,904 new items')
  const parts = [
    `${fmtCount(s.feeds.length)} feed${s.feeds.length === 1 ? '' : 's'}`,
    `${fmtCount(count('ok'))} ok`,
    `${fmtCount(count('not-modified'))} not modified`,
    `${fmtCount(count('failed'))} failed`,
    `${fmtCount(count('skipped'))} skipped`,
  ];
  return `fetch: ${parts.join(', ')}; ${fmtCount(newItems)} new item${newItems === 1 ? '' : 's'}${s.replayInterrupted ? ' (interrupted while putting them into stories)' : s.interrupted ? ' (interrupted: feeds in flight were not saved)' : ''}`;
}

export interface ReportLine {
  level: 'note' | 'warning';
  text: string;
}

/**
 * What the run has to say about single feeds, for stderr. A one-off failure is a note (it is in the
 * fetch log); a feed failing `warnAfter` runs in a row, a feed retired, one that seems to drop items
 * between fetches, are warnings. Times in them are on the team's clock (`tz`: its zone; UTC by default).
 */
export function feedReportLines(s: FetchSummary, tz = 'UTC'): ReportLine[] {
  const lines: ReportLine[] = [];
  // a team's shared database (PostgreSQL): topics the other workers have and this config lacks
  if (s.topicsElsewhere?.length) {
    const one = s.topicsElsewhere.length === 1;
    lines.push({
      level: 'warning',
      text: `the team's database matched items fetched in the last day to ${one ? 'a topic' : 'topics'} this config lacks (${s.topicsElsewhere.map((n) => `"${stripControl(n)}"`).join(', ')}): the items this fetch stores are matched to ${one ? 'it' : 'them'} only when a host that has ${one ? 'it' : 'them'} next runs (matching the whole history again) — give every host the team's topics (README: Running as a team)`,
    });
  }
  // two hosts (or configs) of one database defining a topic differently: each run redoes its matches
  for (const t of s.topicsDefinedOtherwise ?? []) {
    lines.push({
      level: 'warning',
      text: `topic "${stripControl(t.name)}" is defined differently by another host or config using this database: its matches were last made with ${stripControl(t.there)}, and before that with this config's ${stripControl(t.here)}; each run of either redoes them over the whole history, and the counts follow whichever ran last — give every host the same definition (README: Running as a team)`,
    });
  }
  for (const f of s.feeds) {
    const url = stripControl(f.url);
    if (f.status === 'failed') {
      // a feed that has never worked is a warning from its first run: it is most likely a wrong URL
      const persistent = f.consecutiveFailures >= s.warnAfter || f.neverOk === true;
      const retired = f.notice?.startsWith('retired') ?? false;
      lines.push({
        level: persistent || retired ? 'warning' : 'note',
        text: `${url}: ${zonedText(stripControl(f.error ?? 'failed'), tz)}${persistent ? (f.neverOk ? ` (${f.consecutiveFailures === 1 ? 'failed on its first run' : `never fetched: failed all ${f.consecutiveFailures} runs`})` : ` (failed ${f.consecutiveFailures} runs in a row)`) : ''}${retired ? `; ${zonedText(f.notice!, tz)}` : ''}`,
      });
    } else if (f.notice && f.status !== 'skipped') {
      lines.push({ level: 'note', text: `${url}: ${zonedText(stripControl(f.notice), tz)}` });
    }
    if (f.overflow) {
      lines.push({
        level: 'warning',
        text: `${url}: every item was new: the feed may be dropping items between fetches, so counts may be low — fetch it more often (fetch.interval) or narrow its query`,
      });
    }
  }
  return lines;
}
