import { iso } from '../core/time.js';
import { stripControl } from '../core/text.js';
import type { Column, Listing, RenderContext } from './types.js';
import Table from 'cli-table3';

/** The result of fetching one feed, as reported. */
export interface FeedResult {
  url: string;
  title: string | null;
  status: 'ok' | 'not-modified' | 'failed';
  httpStatus: number | null;
  itemsSeen: number;
  itemsNew: number;
  bytes: number;
  durationMs: number;
  error: string | null;
  fetchedAt: number;
}

export interface FetchSummary {
  feeds: FeedResult[];
  interrupted: boolean;
}

export function feedResultJson(r: FeedResult): Record<string, unknown> {
  return {
    url: r.url,
    title: r.title,
    status: r.status,
    httpStatus: r.httpStatus,
    itemsSeen: r.itemsSeen,
    itemsNew: r.itemsNew,
    bytes: r.bytes,
    durationMs: r.durationMs,
    error: r.error,
    fetchedAt: iso(r.fetchedAt),
  };
}

const COLUMNS: Column<FeedResult>[] = [
  { key: 'url', value: (r) => r.url },
  { key: 'title', value: (r) => r.title },
  { key: 'status', value: (r) => r.status },
  { key: 'httpStatus', value: (r) => r.httpStatus },
  { key: 'itemsSeen', value: (r) => r.itemsSeen },
  { key: 'itemsNew', value: (r) => r.itemsNew },
  { key: 'bytes', value: (r) => r.bytes },
  { key: 'durationMs', value: (r) => r.durationMs },
  { key: 'error', value: (r) => r.error },
  { key: 'fetchedAt', value: (r) => iso(r.fetchedAt) },
];

export function fetchListing(rows: FeedResult[]): Listing<FeedResult> {
  return { rows, json: feedResultJson, columns: COLUMNS, table: fetchTable };
}

function fetchTable(rows: FeedResult[], ctx: RenderContext): string {
  const width = Math.max(80, Math.min(ctx.width, 160));
  const table = new Table({
    head: ['Feed', 'Status', 'New', 'Seen', 'Error'],
    colWidths: [Math.max(20, width - 62), 14, 7, 7, 30],
    wordWrap: false,
    style: ctx.color ? { head: ['bold'], border: ['grey'] } : { head: [], border: [] },
  });
  for (const r of rows) {
    const status = r.status === 'failed' ? ctx.chalk.red('failed') : r.status === 'ok' ? ctx.chalk.green('ok') : 'not modified';
    table.push([stripControl(r.title ?? r.url), status, String(r.itemsNew), String(r.itemsSeen), stripControl(r.error ?? '')]);
  }
  return `${table.toString()}\n`;
}

/** The one-line run summary written to stderr. */
export function fetchSummaryLine(s: FetchSummary): string {
  const count = (st: FeedResult['status']) => s.feeds.filter((f) => f.status === st).length;
  const newItems = s.feeds.reduce((a, f) => a + f.itemsNew, 0);
  const parts = [`${s.feeds.length} feed${s.feeds.length === 1 ? '' : 's'}`, `${count('ok')} ok`, `${count('not-modified')} not modified`, `${count('failed')} failed`];
  return `fetch: ${parts.join(', ')}; ${newItems} new item${newItems === 1 ? '' : 's'}${s.interrupted ? ' (interrupted: feeds in flight were not saved)' : ''}`;
}

/** One line per failed feed, for stderr. */
export function feedFailureLines(s: FetchSummary): string[] {
  return s.feeds.filter((f) => f.status === 'failed').map((f) => `momentscan: warning: ${stripControl(f.url)}: ${stripControl(f.error ?? 'failed')}`);
}
