import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import type { FeedHealthRow } from './types.js';

const HEALTH_WINDOW_MS = 30 * 86_400_000;

/** A stored feed's state: retired (410), new (never fetched), failing (its last fetch failed) or ok. */
export function feedState(h: { retiredAt: number | null; lastFetchedAt: number | null; lastStatus: string | null }): FeedHealthRow['state'] {
  return h.retiredAt !== null ? 'retired' : h.lastFetchedAt === null ? 'new' : h.lastStatus === 'failed' ? 'failing' : 'ok';
}

/** Each configured feed (`urls`) with its health over the last 30 days, from the store (null: no database yet, every feed is new). */
export function feedHealthRows(config: Config, store: Store | null, urls: string[], now: number): FeedHealthRow[] {
  const topicsOf = new Map<string, string[]>();
  for (const t of config.topics) for (const f of t.feeds) topicsOf.set(f, [...(topicsOf.get(f) ?? []), t.name]);
  const health = new Map(
    (store?.feedHealth(urls, now - HEALTH_WINDOW_MS, now) ?? []).map((h) => [
      h.url,
      {
        url: h.url,
        fetchUrl: h.fetchUrl,
        title: config.feedTitles.get(h.url) ?? h.title,
        topics: topicsOf.get(h.url) ?? [],
        state: feedState(h),
        lastFetchedAt: h.lastFetchedAt,
        lastSuccessAt: h.lastSuccessAt,
        consecutiveFailures: h.consecutiveFailures,
        fetches: h.fetches,
        notModifiedRatio: h.fetches - h.failures > 0 ? Math.round((h.notModified / (h.fetches - h.failures)) * 100) / 100 : null,
        failures: h.failures,
        itemsPerDay: h.itemsPerDay,
        items: h.items,
        overflows: h.overflows,
        error: h.lastStatus === 'failed' ? h.lastError : null,
        nextDueAt: h.nextDueAt,
      } satisfies FeedHealthRow,
    ]),
  );
  return urls.map(
    (url) =>
      health.get(url) ?? {
        url, fetchUrl: url, title: config.feedTitles.get(url) ?? null, topics: topicsOf.get(url) ?? [], state: 'new', lastFetchedAt: null, lastSuccessAt: null, consecutiveFailures: 0, fetches: 0,
        notModifiedRatio: null, failures: 0, itemsPerDay: 0, items: 0, overflows: 0, error: null, nextDueAt: null,
      },
  );
}
