import type { Config } from '../config/schema.js';
import { FeedError, formatError } from '../core/errors.js';
import { userAgent } from '../core/version.js';
import { redirectProblem } from '../fetch/address.js';
import { attemptsOf, withRetries } from '../fetch/retry.js';
import { runScheduled } from '../fetch/schedule.js';
import type { FeedResult, FetchSummary } from './types.js';
import { SENTIMENT_ENGINE } from '../enrich/sentiment.js';
import { STORY_LIFE_MS, STORY_WINDOW_MS } from '../enrich/stories.js';
import type { FeedRow, FetchRecord, LeaseStore, SaveResult, Store, StoryAssigner } from '../store/store.js';
import { MAX_SERVER_HINT_MS, configuredFeeds, hostOf, nextDue, skipReason } from './due.js';
import { saveQueue } from './save-queue.js';
import { semaphore } from './semaphore.js';
import { STORY_MEMORY_MS, storyAssigner } from './stories.js';
import { syncTopics } from '../enrich/sync-topics.js';

export interface IngestOptions {
  concurrency?: number;
  /** Fetch every feed now: ignore refresh intervals and retired feeds. */
  force?: boolean;
  signal?: AbortSignal;
  now: () => number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Run as one of several workers sharing a store (fetch --worker, PostgreSQL): claim due feeds in batches
   * with leases until none is left, and hold the store's per-host slots while requesting, so that all the
   * workers together keep each host's limit.
   */
  worker?: { owner: string; leaseMs: number };
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
  const leases = o.worker ? store.leases : null;
  if (o.worker && !leases) throw new Error('fetch --worker needs a store workers can share');
  const concurrency = o.concurrency ?? f.concurrency;
  // a worker claims feeds a few slots' worth at a time, so that the others get their share
  const runStart = o.now();
  const claim = (): FeedRow[] => {
    const now = o.now();
    // the slack skipReason gives an hourly cron job
    const dueBy = now + Math.max(60_000, f.intervalMs / 10);
    return leases!.claimFeeds(feeds.map((x) => x.url), now, o.force ? Number.MAX_SAFE_INTEGER : dueBy, 2 * concurrency, o.worker!.leaseMs, o.worker!.owner, {
      since: runStart,
      retired: Boolean(o.force),
    });
  };
  let due: FeedRow[] = [];
  if (leases) due = claim();
  else {
    for (const feed of feeds) {
      const reason = skipReason(feed, o.now(), f.intervalMs, Boolean(o.force));
      if (reason === null) due.push(feed);
      else results.push(skipped(feed, reason, o.now()));
    }
  }
  store.setFeedKinds(config.feedKinds);
  const stories = storyAssigner();
  const saver = saveQueue(store, topicIds);
  // the HTTP client and the parsers (a quarter of a second of loading) only when a feed is due: a run where
  // nothing is, every quarter hour from cron, is over sooner
  const [http, pool] = due.length > 0 ? await Promise.all([import('../fetch/http.js'), import('./parse-pool.js')]) : [null, null];
  const dispatcher = http?.createDispatcher(f.timeoutMs, Math.max(f.perHost, ...[...f.hosts.values()].map((h) => h.perHost)));
  const parser = pool?.createParser(config.topics, leases ? feeds.length : due.length);
  let done = 0;

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
          http!.fetchFeed(from, {
            etag: feed.etag,
            lastModified: feed.lastModified,
            timeoutMs: f.timeoutMs,
            maxBytes: f.maxBytes,
            allowRedirectsTo: f.allowRedirectsTo,
            userAgent: userAgent(),
            dispatcher: dispatcher!,
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
        parsed = await parser!.parse({
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
      leases?.releaseFeed(fetched.record.feedId, o.worker!.owner);
      o.onProgress?.(++done, due.length);
      return fetched.finish(r);
    });
    saved.catch(() => undefined); // a failed commit is reported once the run has stopped (below)
    saving.push(saved);
  };
  try {
    for (;;) {
      await runScheduled(
        due,
        hostOf,
        {
          concurrency,
          perHost: f.perHost,
          hostDelayMs: f.hostDelayMs,
          hosts: f.hosts,
          ...(o.signal ? { signal: o.signal } : {}),
        },
        async (feed) => {
          saver.check(); // once the store has failed, nothing more is fetched
          const slot = leases ? await hostSlot(leases, hostOf(feed), f.hosts.get(hostOf(feed))?.perHost ?? f.perHost, o) : null;
          await new Promise<void>((slotFree) => {
            let freed = false;
            const free = () => {
              if (freed) return;
              freed = true;
              if (slot) leases!.releaseHostSlot(slot.host, slot.slot, o.worker!.owner);
              slotFree();
            };
            const work = one(feed, free).then(
              (fetched) => {
                free();
                if (fetched) save(fetched);
              },
              (err: unknown) => {
                free();
                failure ??= { err };
              },
            );
            working.push(work);
          });
        },
      );
      if (!leases || failure || o.signal?.aborted) break;
      // the next batch once this one is fetched (its saves go on meanwhile)
      due = claim();
      if (due.length === 0) break;
    }
  } catch (err) {
    failure ??= { err };
  } finally {
    await Promise.all(working);
    saver.flushAll();
    await Promise.all([dispatcher?.close().catch(() => undefined), parser?.close()]);
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

/**
 * Waits for one of a host's request slots shared by every worker (none for local files), polling while
 * all are taken; null when there is no host to limit.
 */
async function hostSlot(leases: LeaseStore, host: string, limit: number, o: IngestOptions): Promise<{ host: string; slot: number } | null> {
  if (host === '') return null;
  for (let wait = 10; ; wait = Math.min(250, wait * 2)) {
    const slot = leases.claimHostSlot(host, limit, o.now(), o.worker!.leaseMs, o.worker!.owner);
    if (slot !== null) return { host, slot };
    if (o.signal?.aborted) return null;
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** A feed fetched and parsed: what to save, and its result once saved. */
interface Fetched {
  record: FetchRecord;
  stories?: StoryAssigner;
  finish(saved: SaveResult): FeedResult;
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
