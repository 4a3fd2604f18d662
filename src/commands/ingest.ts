import type { Config } from '../config/schema.js';
import { FeedError, StoreError, formatError } from '../core/errors.js';
import { iso } from '../core/time.js';
import { userAgent } from '../core/version.js';
import { createDispatcher, fetchFeed } from '../fetch/http.js';
import { attemptsOf, withRetries } from '../fetch/retry.js';
import { runScheduled } from '../fetch/schedule.js';
import type { FeedResult, FetchSummary } from '../render/fetch.js';
import { SENTIMENT_ENGINE } from '../enrich/sentiment.js';
import { StoryIndex, storySignature, type StoryInput } from '../enrich/stories.js';
import type { EnrichedItem } from '../core/types.js';
import type { FeedRow, FetchRecord, Store, StoryAssigner } from '../store/store.js';
import { createParser } from './parse-pool.js';
import { syncTopics } from './topics.js';

export interface IngestOptions {
  concurrency?: number;
  /** Fetch every feed now: ignore refresh intervals and retired feeds. */
  force?: boolean;
  signal?: AbortSignal;
  now: () => number;
  onProgress?: (done: number, total: number) => void;
}

/** Every configured feed, each once, topic feeds first. */
export function configuredFeeds(config: Config): string[] {
  return [...new Set([...config.topics.flatMap((t) => t.feeds), ...config.feeds])];
}

/** The host a feed's requests count against ('' for local files: no per-host manners). */
function hostOf(feed: FeedRow): string {
  if (feed.fetchUrl.startsWith('file:')) return '';
  try {
    return new URL(feed.fetchUrl).host.toLowerCase();
  } catch {
    return feed.fetchUrl;
  }
}

/** A server's own caching hint is followed when it asks for longer than our interval, up to a day. */
const MAX_SERVER_HINT_MS = 24 * 3_600_000;

/** Why a feed is not fetched in this run, or null when it is due. */
export function skipReason(feed: FeedRow, now: number, intervalMs: number, force: boolean): string | null {
  if (force) return null;
  if (feed.retiredAt !== null) return `retired: the server said 410 Gone on ${iso(feed.retiredAt)}`;
  if (feed.fetchUrl.startsWith('file:') || feed.nextDueAt === null) return null;
  // a little slack so an hourly cron job never misses a feed due "one second from now"
  const slack = Math.max(60_000, intervalMs / 10);
  return now >= feed.nextDueAt - slack ? null : `not due until ${iso(feed.nextDueAt)}`;
}

/**
 * fetch → decode → parse → enrich → store, for every due feed, with per-host manners: a bound on
 * requests at once in all and per host, a delay between requests to one host, retries of transient
 * failures with backoff (and the server's Retry-After). Each feed is saved in its own transaction as
 * soon as it is read; a feed's failure is recorded and reported, never fatal. Only a store failure
 * (disk full, damaged file) stops the run.
 */
export async function ingest(config: Config, store: Store, o: IngestOptions): Promise<FetchSummary> {
  const f = config.fetch;
  const { topicIds } = syncTopics(config, store);
  const feeds = store.ensureFeeds(configuredFeeds(config), o.now());
  const results: FeedResult[] = [];
  const due: FeedRow[] = [];
  for (const feed of feeds) {
    const reason = skipReason(feed, o.now(), f.intervalMs, Boolean(o.force));
    if (reason === null) due.push(feed);
    else results.push(skipped(feed, reason, o.now()));
  }
  store.setFeedKinds(config.feedKinds);
  const stories = storyAssigner(store, o.now());
  const dispatcher = createDispatcher(f.timeoutMs, f.perHost);
  const parser = createParser(config.topics, due.length);
  let done = 0;

  const one = async (feed: FeedRow): Promise<FeedResult | undefined> => {
    const startedAt = o.now();
    const t0 = performance.now();
    const elapsed = () => Math.round(performance.now() - t0);
    const base = { feedId: feed.id, startedAt };
    try {
      const { value: out, attempts } = await withRetries(
        () =>
          fetchFeed(feed.fetchUrl, {
            etag: feed.etag,
            lastModified: feed.lastModified,
            timeoutMs: f.timeoutMs,
            maxBytes: f.maxBytes,
            userAgent: userAgent(),
            dispatcher,
            ...(o.signal ? { signal: o.signal } : {}),
          }),
        { retries: f.retries, baseDelayMs: 1000, maxWaitMs: Math.min(30_000, f.timeoutMs * 2), ...(o.signal ? { signal: o.signal } : {}) },
      );
      const movedTo = out.movedTo && out.movedTo !== feed.fetchUrl ? out.movedTo : null;
      const notice = movedTo ? `moved permanently to ${movedTo}: fetched from there from now on; update the config` : null;
      if (out.status === 'not-modified') {
        const nextDueAt = nextDue(startedAt, f.intervalMs, out.maxAgeMs, null);
        store.saveFetch(
          { ...base, durationMs: elapsed(), status: 'not-modified', httpStatus: out.httpStatus, bytes: 0, error: null, etag: out.etag, lastModified: out.lastModified, attempts, nextDueAt, movedTo, notice },
          topicIds,
        );
        return result(feed, { status: 'not-modified', httpStatus: out.httpStatus, durationMs: elapsed(), fetchedAt: startedAt, attempts, notice, nextDueAt });
      }
      const parsed = await parser.parse({
        body: out.body,
        contentType: out.contentType,
        url: out.finalUrl,
        feedUrl: feed.url,
        language: config.feedLanguages.get(feed.url) ?? null,
        fetchedAt: startedAt,
      });
      const nextDueAt = nextDue(startedAt, f.intervalMs, out.maxAgeMs, parsed.ttlMs);
      const record: FetchRecord = {
        ...base,
        durationMs: elapsed(),
        status: 'ok',
        httpStatus: out.httpStatus,
        bytes: out.bytes,
        error: null,
        etag: out.etag,
        lastModified: out.lastModified,
        title: parsed.title,
        siteLink: parsed.link,
        items: parsed.items,
        sentimentEngine: SENTIMENT_ENGINE,
        attempts,
        nextDueAt,
        movedTo,
        notice,
      };
      const saved = store.saveFetch(record, topicIds, stories);
      return result(feed, {
        title: parsed.title ?? feed.title,
        status: 'ok',
        httpStatus: out.httpStatus,
        itemsSeen: parsed.items.length,
        itemsNew: saved.new,
        bytes: out.bytes,
        durationMs: elapsed(),
        fetchedAt: startedAt,
        attempts,
        overflow: saved.overflow,
        notice,
        nextDueAt,
      });
    } catch (err) {
      if (err instanceof StoreError) throw err;
      if ((err instanceof FeedError && err.kind === 'aborted') || o.signal?.aborted) return undefined;
      const message = err instanceof FeedError ? formatError(err) : `unexpected error: ${formatError(err)}`;
      const status = err instanceof FeedError ? (err.status ?? null) : null;
      const gone = err instanceof FeedError && err.kind === 'gone';
      const retryAfter = err instanceof FeedError && err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, MAX_SERVER_HINT_MS) : null;
      const nextDueAt = retryAfter !== null ? startedAt + retryAfter : null;
      const attempts = attemptsOf(err);
      const notice = gone ? 'retired: 410 Gone; it will not be fetched again (remove it from the config, or fetch --force to try it)' : null;
      store.saveFetch(
        { ...base, durationMs: elapsed(), status: 'failed', httpStatus: status, bytes: null, error: message, attempts, nextDueAt, retire: gone, notice },
        topicIds,
      );
      return result(feed, {
        status: 'failed',
        httpStatus: status,
        durationMs: elapsed(),
        error: message,
        fetchedAt: startedAt,
        attempts,
        consecutiveFailures: feed.consecutiveFailures + 1,
        notice,
        nextDueAt,
      });
    }
  };

  let fetched: (FeedResult | undefined)[] = [];
  try {
    fetched = await runScheduled(
      due,
      hostOf,
      {
        concurrency: o.concurrency ?? f.concurrency,
        perHost: f.perHost,
        hostDelayMs: f.hostDelayMs,
        ...(o.signal ? { signal: o.signal } : {}),
      },
      async (feed) => {
        const r = await one(feed);
        o.onProgress?.(++done, due.length);
        return r;
      },
    );
  } finally {
    await Promise.all([dispatcher.close().catch(() => undefined), parser.close()]);
  }
  for (const r of fetched) if (r) results.push(r);
  // configured order, so reports are stable
  const order = new Map(feeds.map((feed, i) => [feed.url, i]));
  results.sort((a, b) => order.get(a.url)! - order.get(b.url)!);
  return { feeds: results, interrupted: Boolean(o.signal?.aborted), warnAfter: f.warnAfter };
}

/** Stories seen this long ago or later are what new items may join. */
const STORY_MEMORY_MS = 30 * 86_400_000;

/** Near-duplicate headlines across feeds become one story: an index of recent stories for this run. */
function storyAssigner(store: Store, now: number): StoryAssigner {
  const index = new StoryIndex();
  for (const s of store.recentStories(now - STORY_MEMORY_MS)) index.add(s);
  const input = (it: EnrichedItem): StoryInput => ({ key: it.guid, title: it.title, sourceKey: it.sourceDomain ?? it.source ?? '', publishedAt: it.publishedAt });
  return {
    find: (it) => index.match(input(it))?.id ?? null,
    signature: (it) => storySignature(it.title),
    stored: (id, it, created) => (created ? index.addNew(id, input(it)) : index.touch(id, it.publishedAt)),
  };
}

function nextDue(at: number, intervalMs: number, maxAgeMs: number | null, ttlMs: number | null): number {
  const hint = Math.min(Math.max(maxAgeMs ?? 0, ttlMs ?? 0), MAX_SERVER_HINT_MS);
  return at + Math.max(intervalMs, hint);
}

function result(feed: FeedRow, r: Partial<FeedResult> & Pick<FeedResult, 'status' | 'fetchedAt'>): FeedResult {
  return {
    url: feed.url,
    fetchUrl: feed.fetchUrl,
    title: feed.title,
    httpStatus: null,
    itemsSeen: 0,
    itemsNew: 0,
    bytes: 0,
    durationMs: 0,
    error: null,
    attempts: 0,
    consecutiveFailures: 0,
    overflow: false,
    notice: null,
    nextDueAt: null,
    ...r,
  };
}

function skipped(feed: FeedRow, reason: string, now: number): FeedResult {
  return result(feed, {
    status: 'skipped',
    fetchedAt: now,
    notice: reason,
    consecutiveFailures: feed.consecutiveFailures,
    error: feed.lastStatus === 'failed' ? feed.lastError : null,
    nextDueAt: feed.nextDueAt,
  });
}
