import type { Config } from '../config/schema.js';
import { FeedError, formatError } from '../core/errors.js';
import { iso } from '../core/time.js';
import { userAgent } from '../core/version.js';
import { createDispatcher, fetchFeed } from '../fetch/http.js';
import { redirectProblem } from '../fetch/address.js';
import { attemptsOf, withRetries } from '../fetch/retry.js';
import { runScheduled } from '../fetch/schedule.js';
import type { FeedResult, FetchSummary } from './types.js';
import { SENTIMENT_ENGINE } from '../enrich/sentiment.js';
import { STORY_LIFE_MS, STORY_WINDOW_MS, StoryIndex, replayStories, storySignature, type StoryInput } from '../enrich/stories.js';
import type { EnrichedItem } from '../core/types.js';
import { NO_STORIES, type FeedRow, type FetchRecord, type SaveResult, type Store, type StoryAssigner, type StoryReplayer } from '../store/store.js';
import { createParser } from './parse-pool.js';
import { syncTopics } from '../commands/topics.js';

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
  const saver = saveQueue(store, topicIds);
  const dispatcher = createDispatcher(f.timeoutMs, f.perHost);
  const parser = createParser(config.topics, due.length);
  let done = 0;

  const concurrency = o.concurrency ?? f.concurrency;
  // Bodies downloaded and waiting for (or in) a parse worker: their HTTP slots are free meanwhile, so the
  // network keeps going while this thread commits; at most this many, so memory stays bounded.
  const backlog = semaphore(2 * concurrency);

  /** Fetches and parses one feed; `downloaded` is called when its HTTP exchange is over. */
  const one = async (feed: FeedRow, downloaded: () => void): Promise<Fetched | undefined> => {
    const startedAt = o.now();
    const t0 = performance.now();
    const elapsed = () => Math.round(performance.now() - t0);
    const base = { feedId: feed.id, startedAt };
    try {
      // a move recorded before redirects were checked is not followed into local space
      const from = feed.fetchUrl !== feed.url && /^https?:/i.test(feed.fetchUrl) && (await storedMoveProblem(feed.url, feed.fetchUrl, f.allowRedirectsTo)) ? feed.url : feed.fetchUrl;
      const { value: out, attempts } = await withRetries(
        () =>
          fetchFeed(from, {
            etag: feed.etag,
            lastModified: feed.lastModified,
            timeoutMs: f.timeoutMs,
            maxBytes: f.maxBytes,
            allowRedirectsTo: f.allowRedirectsTo,
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
        const durationMs = elapsed();
        return {
          record: { ...base, durationMs, status: 'not-modified', httpStatus: out.httpStatus, bytes: 0, error: null, etag: out.etag, lastModified: out.lastModified, attempts, nextDueAt, movedTo, notice },
          finish: () => result(feed, { status: 'not-modified', httpStatus: out.httpStatus, durationMs, fetchedAt: startedAt, attempts, notice, nextDueAt }),
        };
      }
      await backlog.acquire();
      downloaded();
      let parsed;
      try {
        parsed = await parser.parse({
          body: out.body,
          contentType: out.contentType,
          url: out.finalUrl,
          feedUrl: feed.url,
          language: config.feedLanguages.get(feed.url) ?? null,
          fetchedAt: startedAt,
        });
      } finally {
        backlog.release();
      }
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
      return {
        record,
        stories,
        finish: (saved) =>
          result(feed, {
            title: parsed.title ?? feed.title,
            status: 'ok',
            httpStatus: out.httpStatus,
            itemsSeen: parsed.items.length,
            itemsNew: saved.new,
            bytes: out.bytes,
            durationMs: record.durationMs,
            fetchedAt: startedAt,
            attempts,
            overflow: saved.overflow,
            notice,
            nextDueAt,
          }),
      };
    } catch (err) {
      if ((err instanceof FeedError && err.kind === 'aborted') || o.signal?.aborted) return undefined;
      const attempts = attemptsOf(err);
      // fetch.timeout bounds one try: say so when a feed used it more than once
      if (err instanceof FeedError && err.kind === 'timeout' && attempts > 1 && /^timed out after \S+ \([^)]*\)$/.test(err.message)) {
        err.message = `${err.message} on each of ${attempts} tries`;
      }
      const message = err instanceof FeedError ? formatError(err) : `unexpected error: ${formatError(err)}`;
      const status = err instanceof FeedError ? (err.status ?? null) : null;
      const gone = err instanceof FeedError && err.kind === 'gone';
      const retryAfter = err instanceof FeedError && err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, MAX_SERVER_HINT_MS) : null;
      const nextDueAt = retryAfter !== null ? startedAt + retryAfter : null;
      const notice = gone ? 'retired: 410 Gone; it will not be fetched again (remove it from the config, or fetch --force to try it)' : null;
      const durationMs = elapsed();
      return {
        record: { ...base, durationMs, status: 'failed', httpStatus: status, bytes: null, error: message, attempts, nextDueAt, retire: gone, notice },
        finish: () =>
          result(feed, {
            status: 'failed',
            httpStatus: status,
            durationMs,
            error: message,
            fetchedAt: startedAt,
            attempts,
            consecutiveFailures: feed.consecutiveFailures + 1,
            neverOk: feed.lastSuccessAt === null,
            notice,
            nextDueAt,
          }),
      };
    }
  };

  // A feed's slot (concurrency, per host) is free once its HTTP exchange is over; it is parsed in a
  // worker, and its save is queued and committed with others.
  const working: Promise<void>[] = [];
  const saving: Promise<FeedResult>[] = [];
  let failure: { err: unknown } | null = null;
  const save = (fetched: Fetched): void => {
    const saved = saver.save(fetched.record, fetched.stories).then((r) => {
      o.onProgress?.(++done, due.length);
      return fetched.finish(r);
    });
    saved.catch(() => undefined); // a failed commit is reported once the run has stopped (below)
    saving.push(saved);
  };
  try {
    await runScheduled(
      due,
      hostOf,
      {
        concurrency,
        perHost: f.perHost,
        hostDelayMs: f.hostDelayMs,
        ...(o.signal ? { signal: o.signal } : {}),
      },
      async (feed) => {
        saver.check(); // once the store has failed, nothing more is fetched
        await new Promise<void>((slotFree) => {
          const work = one(feed, slotFree).then(
            (fetched) => {
              slotFree();
              if (fetched) save(fetched);
            },
            (err: unknown) => {
              slotFree();
              failure ??= { err };
            },
          );
          working.push(work);
        });
      },
    );
  } catch (err) {
    failure ??= { err };
  } finally {
    await Promise.all(working);
    saver.flushAll();
    await Promise.all([dispatcher.close().catch(() => undefined), parser.close()]);
  }
  const settled = await Promise.allSettled(saving);
  if (failure) throw failure.err;
  const fetched: FeedResult[] = [];
  for (const s of settled) {
    if (s.status === 'rejected') throw s.reason;
    fetched.push(s.value);
  }
  // Every feed is saved, each with provisional stories: now the stories of what came in, replayed in
  // canonical order, so they do not depend on which feed finished first. (Interrupted too: what was
  // saved counts. Should this not happen, after a crash, the next fetch replays from the same point.)
  store.replayStories(stories.replay, { windowMs: STORY_WINDOW_MS, memoryMs: STORY_MEMORY_MS, lifeMs: STORY_LIFE_MS });
  results.push(...fetched);
  // configured order, so reports are stable
  const order = new Map(feeds.map((feed, i) => [feed.url, i]));
  results.sort((a, b) => order.get(a.url)! - order.get(b.url)!);
  return { feeds: results, interrupted: Boolean(o.signal?.aborted), warnAfter: f.warnAfter };
}

/** A counting semaphore. */
function semaphore(size: number): { acquire(): Promise<void>; release(): void } {
  let free = size;
  const waiting: (() => void)[] = [];
  return {
    acquire: () => {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release: () => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

/** A feed fetched and parsed: what to save, and its result once saved. */
interface Fetched {
  record: FetchRecord;
  stories?: StoryAssigner;
  finish(saved: SaveResult): FeedResult;
}

/** Fetches are committed together when this many are waiting… */
const BATCH_FEEDS = 16;
/** …or when the first of them has waited this long. */
const BATCH_WAIT_MS = 50;
/** At most this many fetches in one commit. */
const MAX_BATCH = 64;

interface SaveQueue {
  save(rec: FetchRecord, stories?: StoryAssigner): Promise<SaveResult>;
  /** Throws the StoreError of a commit that failed. */
  check(): void;
  /** Commits everything waiting, now. */
  flushAll(): void;
}

/**
 * Saves fetches in batches. Each fetch is saved all-or-nothing (its own savepoint); fetches that finish
 * within BATCH_WAIT_MS of each other (up to MAX_BATCH) are committed in one transaction. A commit
 * writes every page its saves touched, and a stored item touches a leaf of each index, so committing
 * feed by feed writes the same index pages over and over: a 2,000-feed run commits about 150 times
 * instead of 2,000 and spends half as long in SQLite. A fetch waits at most BATCH_WAIT_MS to be
 * committed; Ctrl-C commits what is waiting before it stops, and a crash loses only the feeds not yet
 * committed (never part of one). Should a commit fail, every fetch in it fails with the StoreError,
 * which ends the run.
 */
function saveQueue(store: Store, topicIds: ReadonlyMap<string, number>): SaveQueue {
  let queue: { rec: FetchRecord; stories: StoryAssigner; resolve: (r: SaveResult) => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let failed: { err: unknown } | null = null;
  const flush = (): void => {
    clearTimeout(timer);
    clearImmediate(immediate);
    timer = immediate = undefined;
    const batch = queue.slice(0, MAX_BATCH);
    queue = queue.slice(batch.length);
    if (queue.length > 0) immediate = setImmediate(flush);
    if (batch.length === 0) return;
    let results: SaveResult[];
    try {
      if (failed) throw failed.err;
      results = store.together(() => batch.map((b) => store.saveFetch(b.rec, topicIds, b.stories)));
    } catch (err) {
      failed ??= { err };
      for (const b of batch) b.reject(err);
      return;
    }
    batch.forEach((b, i) => b.resolve(results[i]!));
  };
  return {
    save: (rec, stories = NO_STORIES) =>
      new Promise((resolve, reject) => {
        queue.push({ rec, stories, resolve, reject });
        if (queue.length >= BATCH_FEEDS) immediate ??= setImmediate(flush);
        else timer ??= setTimeout(flush, BATCH_WAIT_MS);
      }),
    check: () => {
      if (failed) throw failed.err;
    },
    flushAll: () => {
      while (queue.length > 0) flush();
      clearImmediate(immediate);
      immediate = undefined;
    },
  };
}

/** Stories seen this long ago or later are what new items may join (and what weighs their words). */
const STORY_MEMORY_MS = 30 * 86_400_000;
/** Titles whose story tokens a fetch keeps for its replay. */
const TOKEN_CACHE_MAX = 200_000;

/**
 * Near-duplicate headlines across feeds become one story, provisionally: an index of recent stories
 * for this run, loaded in the first save's transaction and again whenever another fetch has replayed
 * stories meanwhile (its story ids may be gone). At its end the fetch replays them in canonical order
 * (`replay`, for Store.replayStories), so that they depend on the items only.
 */
function storyAssigner(store: Store, now: number): StoryAssigner & { replay: StoryReplayer } {
  let index = new StoryIndex();
  let generation: number | null = null;
  // the tokens of this run's titles (from the parse workers), so that the replay need not make them again
  const tokens = new Map<string, string[]>();
  const input = (it: EnrichedItem): StoryInput => ({
    key: it.guid,
    title: it.title,
    sourceKey: it.sourceDomain ?? it.source ?? '',
    publishedAt: it.publishedAt,
    url: it.canonicalUrl,
    ...(it.storyTokens ? { tokens: it.storyTokens } : {}),
  });
  return {
    find: (it) => index.match(input(it))?.id ?? null,
    signature: (it) => it.storyTokens?.join(' ') ?? storySignature(it.title),
    stored: (id, it, created) => {
      // (bounded: past this many titles the replay makes the tokens again)
      if (it.storyTokens && tokens.size < TOKEN_CACHE_MAX) tokens.set(it.title, it.storyTokens);
      if (created) index.addNew(id, input(it));
      else index.join(id, input(it));
    },
    covers: (id, publishedAt) => index.covers(id, publishedAt),
    sync: (current) => {
      if (current === generation) return;
      index = new StoryIndex();
      for (const s of store.recentStories(now - STORY_MEMORY_MS)) index.add(s);
      generation = current;
    },
    replay: (known, items) =>
      replayStories(
        known,
        items.map((it) => {
          const t = tokens.get(it.title);
          return t ? { ...it, tokens: t } : it;
        }),
        { memoryMs: STORY_MEMORY_MS },
      ),
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

async function storedMoveProblem(url: string, movedTo: string, allow: readonly string[]): Promise<boolean> {
  try {
    return (await redirectProblem(new URL(url), new URL(movedTo), allow)) !== null;
  } catch {
    return false;
  }
}
