import { iso } from '../core/time.js';
import { SCHEMA_VERSION } from './index.js';
import { stripControl } from '../core/text.js';
import { learningText, topicJson, type TopicRow } from './topics.js';
import type { RenderContext } from './types.js';
import { tableWidth } from './table.js';
import { shownAt, wrapShown } from './text.js';

/** What `momentscan status` reports. */
export interface Status {
  config: { path: string; exists: boolean };
  database: { path: string; exists: boolean; bytes: number | null };
  feeds: {
    total: number;
    ok: number;
    failing: number;
    new: number;
    retired: number;
    lastFetchAt: number | null;
    /** Claimed by fetch --worker processes, their leases not run out (PostgreSQL; null on SQLite). */
    claimed?: { feeds: number; owners: string[]; until: number | null } | null;
  };
  topics: TopicRow[];
  /** Known accounts (momentscan accounts): how many, how many some stored item involves, how many have names flagged for review. */
  accounts: { known: number; withItems: number; review: number };
  /** check: ok, "failed: …", "not configured" or "not checked". */
  email: { server: string | null; to: string[]; check: string };
  now: number;
}

export function statusJson(s: Status): Record<string, unknown> {
  return {
    schemaVersion: SCHEMA_VERSION,
    config: s.config,
    database: s.database,
    feeds: {
      ...s.feeds,
      lastFetchAt: s.feeds.lastFetchAt === null ? null : iso(s.feeds.lastFetchAt),
      claimed: s.feeds.claimed ? { ...s.feeds.claimed, until: s.feeds.claimed.until === null ? null : iso(s.feeds.claimed.until) } : null,
    },
    topics: s.topics.map(topicJson),
    accounts: s.accounts,
    email: s.email,
  };
}

/** One screen for people. */
export function renderStatus(s: Status, ctx: RenderContext): string {
  const { chalk } = ctx;
  // each line a label (or an indent) and its text, wrapped to the terminal under the label
  const label = (t: string) => chalk.bold(t.padEnd(10)) + '\0';
  const f = s.feeds;
  // times on the team's clock with its zone's name (ISO-8601 UTC without one, as before)
  const tz = ctx.timeZone ?? 'UTC';
  const lines = [
    `${label('config')}${stripControl(s.config.path)}${s.config.exists ? '' : chalk.yellow(' (none: run momentscan init)')}`,
    `${label('database')}${stripControl(s.database.path)}${!s.database.exists ? chalk.yellow(' (none yet: run momentscan fetch)') : s.database.bytes === null ? '' : ` (${(s.database.bytes / 2 ** 20).toFixed(1)} MB)`}`,
    `${label('feeds')}${f.total} configured: ${f.ok} ok, ${f.failing > 0 ? chalk.red(`${f.failing} failing`) : '0 failing'}, ${f.new} never fetched, ${f.retired} retired` +
      (f.lastFetchAt === null ? '' : `; last fetch ${shownAt(f.lastFetchAt, tz)}`) +
      (f.failing > 0 ? ' (momentscan feeds shows why)' : ''),
    ...(f.claimed && f.claimed.feeds > 0
      ? [
          `${label('workers')}${f.claimed.feeds} ${f.claimed.feeds === 1 ? 'feed' : 'feeds'} claimed by ${f.claimed.owners.length === 1 ? `fetch --worker ${stripControl(f.claimed.owners[0]!)}` : `${f.claimed.owners.length} fetch --worker processes`} until ${shownAt(f.claimed.until!, tz)}; a worker that is gone (kill -9, a host down) holds its feeds until then, then another fetches them`,
        ]
      : []),
    `${label('topics')}${s.topics.length === 0 ? 'none configured' : `${s.topics.length}, ${s.topics.filter((t) => t.learning).length} still learning`}`,
    ...s.topics.map((t) => `  \0${stripControl(t.name)}: ${t.items.toLocaleString('en-US')} items, ${learningText(t, tz)}`),
    `${label('accounts')}${s.accounts.known === 0 ? 'none (momentscan accounts import FILE.csv)' : `${s.accounts.known} known, ${s.accounts.withItems} in stored items${s.accounts.review ? chalk.yellow(`, ${s.accounts.review} with names to review (momentscan accounts list)`) : ''}`}`,
    `${label('email')}${s.email.server === null ? 'not configured (email.smtp or $MOMENTSCAN_SMTP_URL)' : `${stripControl(s.email.server)} → ${s.email.to.length ? stripControl(s.email.to.join(', ')) : 'no recipients (email.to)'}: ${s.email.check === 'ok' ? chalk.green('login ok') : stripControl(s.email.check)}`}`,
  ];
  // wrapped to the terminal, under their labels (a long path or link stands alone on its line, whole)
  const width = tableWidth(ctx);
  return lines
    .flatMap((l) => {
      const [first, text] = l.split('\0') as [string, string];
      return wrapShown(text, width, first, first === '  ' ? '    ' : ' '.repeat(10));
    })
    .map((l) => `${l}\n`)
    .join('');
}
