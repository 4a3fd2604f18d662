/** Which feeds a fetch run fetches, and when each is due again. */
import type { Config } from '../config/schema.js';
import { iso } from '../core/time.js';
import type { FeedRow } from '../store/store.js';

/** Every configured feed, each once, topic feeds first. */
export function configuredFeeds(config: Config): string[] {
  return [...new Set([...config.topics.flatMap((t) => t.feeds), ...config.feeds])];
}

/** Read from this machine (a feed file, a file of items): no server to be polite to, read every run. */
export function isLocal(feed: FeedRow): boolean {
  return !/^https?:/i.test(feed.fetchUrl);
}

/** The host a feed's requests count against ('' for local sources: no per-host manners). */
export function hostOf(feed: FeedRow): string {
  const known = hosts.get(feed);
  if (known !== undefined && known.url === feed.fetchUrl) return known.host;
  let host: string;
  if (isLocal(feed)) host = '';
  else {
    try {
      host = new URL(feed.fetchUrl).host.toLowerCase();
    } catch {
      host = feed.fetchUrl;
    }
  }
  hosts.set(feed, { url: feed.fetchUrl, host });
  return host;
}

/** hostOf's answers: the scheduler asks for a feed's host several times, and parsing its URL each time showed in a 2,000-feed profile. */
const hosts = new WeakMap<FeedRow, { url: string; host: string }>();

/** A server's own caching hint is followed when it asks for longer than our interval, up to a day. */
export const MAX_SERVER_HINT_MS = 24 * 3_600_000;

/** Why a feed is not fetched in this run, or null when it is due. */
export function skipReason(feed: FeedRow, now: number, intervalMs: number, force: boolean): string | null {
  if (force) return null;
  if (feed.retiredAt !== null) return `retired: the server said 410 Gone on ${iso(feed.retiredAt)}`;
  if (isLocal(feed) || feed.nextDueAt === null) return null;
  // a little slack so an hourly cron job never misses a feed due "one second from now"
  const slack = Math.max(60_000, intervalMs / 10);
  return now >= feed.nextDueAt - slack ? null : `not due until ${dueTime(feed.nextDueAt)}`;
}

/**
 * iso() of a due time, remembered by the second it names: a run where nothing is due says when each feed
 * is, and feeds fetched in the same second share it (toISOString before the JIT has warmed up was 7 ms of
 * CPU for 2,000 feeds, a few percent of such a run).
 */
function dueTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = dueTimes.get(second);
  if (text === undefined) {
    if (dueTimes.size >= 4096) dueTimes.clear();
    text = iso(second * 1000);
    dueTimes.set(second, text);
  }
  return text;
}
const dueTimes = new Map<number, string>();

export function nextDue(at: number, intervalMs: number, maxAgeMs: number | null, ttlMs: number | null): number {
  const hint = Math.min(Math.max(maxAgeMs ?? 0, ttlMs ?? 0), MAX_SERVER_HINT_MS);
  return at + Math.max(intervalMs, hint);
}
