import type { Config } from '../config/schema.js';
import { FeedError, StoreError, formatError } from '../core/errors.js';
import { userAgent } from '../core/version.js';
import { enrichItems } from '../enrich/enrich.js';
import { decodeBody } from '../fetch/decode.js';
import { createDispatcher, fetchFeed } from '../fetch/http.js';
import { parseFeed } from '../parse/feed.js';
import type { FeedResult, FetchSummary } from '../render/fetch.js';
import type { FeedRow, Store } from '../store/store.js';
import { syncTopics } from './topics.js';

export interface IngestOptions {
  concurrency?: number;
  signal?: AbortSignal;
  now: () => number;
  onProgress?: (done: number, total: number) => void;
}

/** Every configured feed, each once, topic feeds first. */
export function configuredFeeds(config: Config): string[] {
  return [...new Set([...config.topics.flatMap((t) => t.feeds), ...config.feeds])];
}

/**
 * fetch → decode → parse → enrich → store, for every configured feed, a bounded number at a time.
 * Each feed is saved in its own transaction as soon as it is read; a feed's failure is recorded and
 * reported, never fatal. Only a store failure (disk full, damaged file) stops the run.
 */
export async function ingest(config: Config, store: Store, o: IngestOptions): Promise<FetchSummary> {
  const { matchers, topicIds } = syncTopics(config, store);
  const feeds = store.ensureFeeds(configuredFeeds(config), o.now());
  const dispatcher = createDispatcher(config.fetch.timeoutMs);
  const results: (FeedResult | null)[] = new Array(feeds.length).fill(null);
  let done = 0;
  let next = 0;
  let fatal: unknown;

  const one = async (feed: FeedRow): Promise<FeedResult | null> => {
    const startedAt = o.now();
    const t0 = performance.now();
    const elapsed = () => Math.round(performance.now() - t0);
    try {
      const out = await fetchFeed(feed.url, {
        etag: feed.etag,
        lastModified: feed.lastModified,
        timeoutMs: config.fetch.timeoutMs,
        maxBytes: config.fetch.maxBytes,
        userAgent: userAgent(),
        dispatcher,
        ...(o.signal ? { signal: o.signal } : {}),
      });
      if (out.status === 'not-modified') {
        store.saveFetch(
          { feedId: feed.id, startedAt, durationMs: elapsed(), status: 'not-modified', httpStatus: out.httpStatus, bytes: 0, error: null, etag: out.etag, lastModified: out.lastModified },
          topicIds,
        );
        return { url: feed.url, title: feed.title, status: 'not-modified', httpStatus: out.httpStatus, itemsSeen: 0, itemsNew: 0, bytes: 0, durationMs: elapsed(), error: null, fetchedAt: startedAt };
      }
      const { text } = decodeBody(out.body, out.contentType);
      const parsed = await parseFeed(text, { url: out.finalUrl, fetchedAt: startedAt });
      const items = enrichItems(parsed.items, matchers);
      const saved = store.saveFetch(
        {
          feedId: feed.id,
          startedAt,
          durationMs: elapsed(),
          status: 'ok',
          httpStatus: out.httpStatus,
          bytes: out.bytes,
          error: null,
          etag: out.etag,
          lastModified: out.lastModified,
          title: parsed.title,
          siteLink: parsed.link,
          items,
        },
        topicIds,
      );
      return { url: feed.url, title: parsed.title ?? feed.title, status: 'ok', httpStatus: out.httpStatus, itemsSeen: items.length, itemsNew: saved.new, bytes: out.bytes, durationMs: elapsed(), error: null, fetchedAt: startedAt };
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if (err instanceof FeedError && err.kind === 'aborted') return null;
      if (o.signal?.aborted) return null;
      const message = err instanceof FeedError ? formatError(err) : `unexpected error: ${formatError(err)}`;
      const status = err instanceof FeedError ? (err.status ?? null) : null;
      store.saveFetch({ feedId: feed.id, startedAt, durationMs: elapsed(), status: 'failed', httpStatus: status, bytes: null, error: message }, topicIds);
      return { url: feed.url, title: feed.title, status: 'failed', httpStatus: status, itemsSeen: 0, itemsNew: 0, bytes: 0, durationMs: elapsed(), error: message, fetchedAt: startedAt };
    }
  };

  const worker = async () => {
    while (fatal === undefined && !o.signal?.aborted) {
      const i = next++;
      if (i >= feeds.length) return;
      try {
        results[i] = await one(feeds[i]!);
      } catch (err) {
        fatal = err;
        return;
      }
      done++;
      o.onProgress?.(done, feeds.length);
    }
  };
  const width = Math.max(1, Math.min(o.concurrency ?? config.fetch.concurrency, feeds.length));
  try {
    await Promise.all(Array.from({ length: width }, worker));
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
  if (fatal !== undefined) throw fatal;
  return { feeds: results.filter((r): r is FeedResult => r !== null), interrupted: Boolean(o.signal?.aborted) };
}
