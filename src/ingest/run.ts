import { getMaxListeners, setMaxListeners } from 'node:events';
import type { Config } from '../config/schema.js';
import type { ParsedBody } from './parse-job.js';
import type { BodyParser } from './parse-pool.js';
import { FeedError, formatError, StoreError } from '../core/errors.js';
import { iso } from '../core/time.js';
import { userAgent } from '../core/version.js';
import { attemptsOf, noteTries, withRetries } from '../fetch/retry.js';
import { runScheduled } from '../fetch/schedule.js';
import type { FeedResult, FetchSummary } from './types.js';
import type { FeedRow, FetchRecord, LeaseStore, ReplayOptions, SaveResult, Store, StoryAssigner, StoryReplayer } from '../store/store.js';
import { MAX_SERVER_HINT_MS, configuredFeeds, hostOf, nextDue, skipReason } from './due.js';
import { saveQueue } from './save-queue.js';
import { backlog, type BacklogTicket } from './backlog.js';
import { syncAccounts } from '../enrich/sync-accounts.js';
import { syncTopics } from '../enrich/sync-topics.js';
import { tightHeap } from '../core/heap.js';

const DAY_MS = 86_400_000;

export interface IngestOptions {
  concurrency?: number;
  /** Fetch every feed now: ignore refresh intervals and retired feeds. */
  force?: boolean;
  signal?: AbortSignal;
  now: () => number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Called as the story replay at the end starts (true) and once it has ended (false). The replay is one
   * synchronous transaction: nothing else runs on this thread until it ends, a signal handler included.
   * `items`: the new items this run saved (0 for a replay a run before this one left pending).
   */
  onReplay?: (starting: boolean, items: number) => void;
  /**
   * Run as one of several workers sharing a store (fetch --worker, PostgreSQL): claim due feeds in batches
   * with leases (for `leaseMs`) until none is left, and take one of the store's per-host slots for each
   * request (for `slotLeaseMs`), so that all the workers together keep each host's manners: its limit of
   * requests at once and its delay between two starts.
   */
  worker?: { owner: string; leaseMs: number; slotLeaseMs: number };
  /** The backlog's bound in bytes (BACKLOG_MAX_BYTES; tests set a smaller one). */
  backlogBytes?: number;
}

/**
 * SQLite's page cache during a fetch and its story replay: 32 MB instead of the connection's 64 (both full
 * by the end of the bench's 2,000 feeds, a 120 MB database). The peak of a big fetch is made then: the
 * parse workers' heaps, the main thread's, the cache; then the replay's story index and the cache. The
 * bench's cold fetch used the same CPU with it (3 runs); 16 MB cost 4–6 s more (pages read again between
 * commits).
 */
const FETCH_PAGE_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * The fetch's backlog of feeds downloaded and not yet committed, in bytes of their estimated size: a body,
 * a copy of it in a parse worker's queue, then its parsed and enriched items, ~2.4–2.6 times the body
 * (measured on the bench's items, 500 and 10,000 a feed), until their commit. Feeds of a few hundred items
 * never reach it (BACKLOG_FEEDS_PER_SLOT × concurrency feeds bound them first); files of 10,000 items (10 MB) are
 * two at a time.
 */
const BACKLOG_MAX_BYTES = 64 * 1024 * 1024;
/**
 * The backlog's bound in feeds, per request slot (fetch.concurrency). Half of them may wait for one commit
 * (the save queue's batch): a commit writes every page its feeds' items touched, and the pages of the random
 * indexes (canonical URLs, topic matches, quarter-hour counts) are shared by more items in a bigger batch.
 * At 4 (batches of up to 32 feeds at concurrency 16; at 2 a cold bench fetch committed 11 on average), the
 * bench's save path alone took ~0.9 of its CPU (32 feeds a commit against 11: test/bench/README.md).
 */
const BACKLOG_FEEDS_PER_SLOT = 4;
/** A feed's size in the backlog, from its body's: the body itself, and ~2.5 times it in parsed items. */
const PARSED_BYTES_PER_BODY_BYTE = 3;

/** Feeds in a row that could not reach their host (after their retries) before the run stops asking it. */
const HOST_GIVE_UP_AFTER = 3;

/**
 * fetch → decode → parse → enrich → store, for every due feed, with per-host manners: a bound on
 * requests at once in all and per host, a delay between requests to one host, retries of transient
 * failures with backoff (and the server's Retry-After). Each feed is saved in its own transaction as
 * soon as it is read; a feed's failure is recorded and reported, never fatal. Only a store failure
 * (disk full, damaged file) stops the run.
 */
export async function ingest(config: Config, store: Store, o: IngestOptions): Promise<FetchSummary> {
  const f = config.fetch;
  const { topicIds, definedOtherwise } = syncTopics(config, store);
  // The team shares one history: a worker whose config lacks a topic the others match items to leaves its
  // own new items unmatched to it, for good (a topic's matches are redone only when its definition changes)
  let topicsElsewhere: string[] = [];
  if (store.leases) {
    const at = o.now();
    topicsElsewhere = store.topicsMatchedSince(at - DAY_MS, at - 2 * DAY_MS).filter((name) => !topicIds.has(name));
  }
  // matches of stored items made with other accounts are redone first; new items are matched as they are parsed
  const { defs: accounts, matcher: accountMatcher } = syncAccounts(store);
  const feeds = store.ensureFeeds(configuredFeeds(config), o.now());
  const results: FeedResult[] = [];
  const leases = o.worker ? store.leases : null;
  if (o.worker && !leases) throw new Error('fetch --worker needs a store workers can share');
  const concurrency = o.concurrency ?? f.concurrency;
  // Each request in flight and each retry waiting listens for Ctrl-C, all removed when done: with more than
  // a few feeds failing at once, more than the 10 listeners Node warns about on stderr (a leak would pass this too).
  if (o.signal) setMaxListeners(Math.max(getMaxListeners(o.signal), 2 * concurrency + 8), o.signal);
  // The parsers (rss-parser, the enrichment stages, the sentiment engine: a few hundred milliseconds of
  // loading, and the parse workers) once the first body or source is to be read: a run where every feed
  // answers 304 Not Modified never loads them.
  let parserLoad: Promise<{ parser: BodyParser; sentimentEngine: string }> | null = null;
  let parserLoaded: BodyParser | null = null;
  // The stories' modules (enrich/stories.js, the replay and its thread) with them: only a feed read (or a replay
  // a crash left pending, below) needs them, and a run where nothing is due or every feed answers 304 does without.
  let stories: Stories | null = null;
  // While feeds come in, V8 collects sooner than it would: the peak of a big fetch was mostly garbage. From
  // the first body or source to read (before the parse workers start: they follow it too): a run of 304s
  // makes little garbage, and the tighter heap cost it a full collection.
  let restoreHeap: (() => void) | null = null;
  const loadParser = (): Promise<{ parser: BodyParser; sentimentEngine: string }> => {
    restoreHeap ??= tightHeap();
    return (parserLoad ??= Promise.all([import('./parse-pool.js'), import('../enrich/sentiment.js'), import('../core/domain.js'), loadStories()]).then(([pool, sentiment, domains, loaded]) => {
      stories = loaded;
      // the domain list too, which items parsed on this thread (a small run, a local source) look up
      domains.loadDomains();
      parserLoaded = pool.createParser({ topics: config.topics, accounts }, leases ? feeds.length : due.length);
      return { parser: parserLoaded, sentimentEngine: sentiment.SENTIMENT_ENGINE };
    }));
  };
  // Workers sharing feeds and hosts load them first, before their run starts, as before: loading blocks this
  // thread for a moment, which mid-run would hold back a request whose turn at a host had come.
  if (leases) await loadParser();
  // a worker claims feeds a few slots' worth at a time, so that the others get their share
  const runStart = o.now();
  // every feed this worker claimed in this run (its batches), to give back what it could not save
  const claimed: FeedRow[] = [];
  const claim = (): FeedRow[] => {
    const now = o.now();
    // the slack skipReason gives an hourly cron job
    const dueBy = now + Math.max(60_000, f.intervalMs / 10);
    const rows = leases!.claimFeeds(feeds.map((x) => x.url), o.force ? Number.MAX_SAFE_INTEGER : dueBy, 2 * concurrency, o.worker!.leaseMs, o.worker!.owner, {
      since: runStart,
      retired: Boolean(o.force),
    });
    claimed.push(...rows);
    return rows;
  };
  let due: FeedRow[] = [];
  if (leases) {
    try {
      due = claim();
    } catch (err) {
      await (parserLoaded as BodyParser | null)?.close();
      throw err;
    }
  }
  else {
    for (const feed of feeds) {
      const reason = skipReason(feed, o.now(), f.intervalMs, Boolean(o.force));
      if (reason === null) due.push(feed);
      else results.push(skipped(feed, reason, o.now()));
    }
  }
  store.setFeedKinds(config.feedKinds);
  // a commit as soon as half the backlog's feeds wait for it (or after BATCH_WAIT_MS): the other half keeps
  // the network and the parse workers going meanwhile
  const saver = saveQueue(store, topicIds, { batchFeeds: (BACKLOG_FEEDS_PER_SLOT / 2) * concurrency });
  // the HTTP client and the item sources only when a feed is due: a run where nothing is, every quarter hour
  // from cron, is over sooner
  const [http, sources] = due.length > 0 ? await Promise.all([import('../fetch/http.js'), import('./sources/index.js')]) : [null, null];
  const agentName = userAgent(); // (once, not per request)
  const dispatcher = http?.createDispatcher(f.timeoutMs, Math.max(f.perHost, ...[...f.hosts.values()].map((h) => h.perHost)));
  let done = 0;
  // Hosts that could not be reached (refused, unknown, no route) for the feeds that last tried them, in a
  // row: after HOST_GIVE_UP_AFTER such feeds, the rest of that host's feeds are not asked in this run
  // (without it, a host that is down costs every one of its feeds its retries' backoff: the bench's 2,000
  // feeds on one host whose server was gone took 376 s to fail, 16 at once). A feed from it that gets through
  // starts the count again. They are due again at the next fetch, as any failed feed is.
  const unreachable = new Map<string, { feeds: number; first: string }>();

  // Feeds downloaded and not yet saved (a body waiting for or in a parse worker, or its items waiting for
  // their commit): their HTTP slots are free meanwhile, so the network keeps going while this thread
  // commits; at most BACKLOG_FEEDS_PER_SLOT × concurrency feeds and BACKLOG_MAX_BYTES of them, so memory
  // stays bounded whatever the run's size and the feeds' (a new download waits while it is full). (Released
  // at the parse, parsed items could pile up in front of the commits whenever parsing outran them.)
  const held = backlog(BACKLOG_FEEDS_PER_SLOT * concurrency, o.backlogBytes ?? BACKLOG_MAX_BYTES);

  /** Fetches and parses one feed; `downloaded` is called when its HTTP exchange is over. */
  const one = async (feed: FeedRow, downloaded: () => void, ticket: BacklogTicket): Promise<Fetched | undefined> => {
    const startedAt = o.now();
    const t0 = performance.now();
    const elapsed = () => Math.round(performance.now() - t0);
    const host = hostOf(feed);
    try {
      const source = sources!.itemSourceOf(config.feedKinds.get(feed.url));
      if (source) {
        // not a feed: the source yields its items (read on this thread, its items enriched here)
        downloaded();
        const items = await source(feed.url, { since: feed.lastSuccessAt, now: startedAt, signal: o.signal ?? new AbortController().signal, maxBytes: f.maxBytes });
        if (o.signal?.aborted) return undefined;
        const { parser, sentimentEngine } = await loadParser();
        const enriched = parser.enrich(items, { feedUrl: feed.url, language: config.feedLanguages.get(feed.url) ?? null });
        const none = { httpStatus: null, bytes: 0, etag: null, lastModified: null, maxAgeMs: null, attempts: 1, movedTo: null, notice: null };
        return ok(feed, startedAt, { title: null, link: null, ttlMs: null, items: enriched }, { ...none, durationMs: elapsed() }, sentimentEngine);
      }
      // a move recorded before redirects were checked is not followed into local space
      const from = feed.fetchUrl !== feed.url && /^https?:/i.test(feed.fetchUrl) && (await storedMoveProblem(feed.url, feed.fetchUrl, f.allowRedirectsTo)) ? feed.url : feed.fetchUrl;
      const { value: out, attempts } = await withRetries(
        () =>
          giveUp(host) ??
          gated(host, () => http!.fetchFeed(from, {
            etag: feed.etag,
            lastModified: feed.lastModified,
            timeoutMs: f.timeoutMs,
            maxBytes: f.maxBytes,
            allowRedirectsTo: f.allowRedirectsTo,
            userAgent: agentName,
            dispatcher: dispatcher!,
            ...(o.signal ? { signal: o.signal } : {}),
          })),
        { retries: f.retries, baseDelayMs: 1000, maxWaitMs: Math.min(30_000, f.timeoutMs * 2), ...(o.signal ? { signal: o.signal } : {}) },
      );
      unreachable.delete(host);
      const movedTo = out.movedTo && out.movedTo !== feed.fetchUrl ? out.movedTo : null;
      const notice = movedTo ? `moved permanently to ${movedTo}: fetched from there from now on; update the config` : null;
      if (out.status === 'not-modified') {
        const nextDueAt = nextDue(startedAt, f.intervalMs, out.maxAgeMs, null);
        const durationMs = elapsed();
        return {
          // (no `{ ...base, … }`: in Node 20 a literal that starts with a spread and adds keys costs 10–60 µs,
          // key by key; written out, well under 1 µs: ~2 % of a warm fetch's CPU)
          record: { feedId: feed.id, startedAt, durationMs, status: 'not-modified', httpStatus: out.httpStatus, bytes: 0, error: null, etag: out.etag, lastModified: out.lastModified, attempts, nextDueAt, movedTo, notice },
          finish: () => result(feed, { status: 'not-modified', httpStatus: out.httpStatus, durationMs, fetchedAt: startedAt, attempts, notice, nextDueAt }),
        };
      }
      const estimate = out.body.length * PARSED_BYTES_PER_BODY_BYTE;
      await ticket.acquire(estimate);
      downloaded();
      let parsed;
      let holding = true;
      const release = (): void => {
        if (holding) held.release(estimate);
        holding = false;
      };
      let sentimentEngine;
      try {
        const loaded = await loadParser();
        sentimentEngine = loaded.sentimentEngine;
        parsed = await loaded.parser.parse({
          body: out.body,
          contentType: out.contentType,
          url: out.finalUrl,
          feedUrl: feed.url,
          language: config.feedLanguages.get(feed.url) ?? null,
          fetchedAt: startedAt,
        });
      } catch (err) {
        release();
        throw err;
      }
      return { ...ok(feed, startedAt, parsed, { ...out, attempts, movedTo, notice, durationMs: elapsed() }, sentimentEngine), release };
    } catch (err) {
      if ((err instanceof FeedError && err.kind === 'aborted') || o.signal?.aborted) return undefined;
      // (the try given up was not made)
      const attempts = attemptsOf(err) - (err instanceof FeedError && err.givenUp ? 1 : 0);
      if (err instanceof FeedError && err.unreachable) {
        const down = unreachable.get(host);
        if (down) down.feeds++;
        else unreachable.set(host, { feeds: 1, first: err.message });
      }
      noteTries(err, attempts);
      const status = err instanceof FeedError ? (err.status ?? null) : null;
      const gone = err instanceof FeedError && err.kind === 'gone';
      const retryAfter = err instanceof FeedError && err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, MAX_SERVER_HINT_MS) : null;
      const nextDueAt = retryAfter !== null ? startedAt + retryAfter : null;
      // a server's Retry-After decides when the feed is asked again: the message says when, not "the next fetch"
      const message =
        err instanceof FeedError
          ? nextDueAt !== null
            ? `${err.message} — the server asks to wait: it will be retried by the first fetch after ${iso(nextDueAt)} (fetch --force to try sooner)`
            : formatError(err)
          : `unexpected error: ${formatError(err)}`;
      const notice = gone ? 'retired: 410 Gone; it will not be fetched again (remove it from the config, or fetch --force to try it)' : null;
      const durationMs = elapsed();
      return {
        record: { feedId: feed.id, startedAt, durationMs, status: 'failed', httpStatus: status, bytes: null, error: message, attempts, nextDueAt, retire: gone, notice },
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

  /** A feed (or item source) read: the record to save, and its result once saved. */
  const ok = (feed: FeedRow, startedAt: number, parsed: ParsedBody, got: Got, sentimentEngine: string): Fetched => {
    const nextDueAt = nextDue(startedAt, f.intervalMs, got.maxAgeMs, parsed.ttlMs);
    const record: FetchRecord = {
      feedId: feed.id,
      startedAt,
      durationMs: got.durationMs,
      status: 'ok',
      httpStatus: got.httpStatus,
      bytes: got.bytes,
      error: null,
      etag: got.etag,
      lastModified: got.lastModified,
      title: parsed.title,
      siteLink: parsed.link,
      items: parsed.items,
      sentimentEngine,
      attempts: got.attempts,
      nextDueAt,
      movedTo: got.movedTo,
      notice: got.notice,
    };
    return {
      record,
      // (set: a feed is read once loadParser() has resolved)
      stories: (stories as Stories | null)!.assigner,
      finish: (saved) =>
        result(feed, {
          title: parsed.title ?? feed.title,
          status: 'ok',
          httpStatus: got.httpStatus,
          itemsSeen: parsed.items.length,
          itemsNew: saved.new,
          bytes: got.bytes,
          durationMs: got.durationMs,
          fetchedAt: startedAt,
          attempts: got.attempts,
          overflow: saved.overflow,
          notice: got.notice,
          nextDueAt,
        }),
    };
  };

  /** A try not to make, because the host could not be reached for the feeds before (a rejected promise), or null. */
  const giveUp = (host: string): Promise<never> | null => {
    const down = unreachable.get(host);
    if (down === undefined || down.feeds < HOST_GIVE_UP_AFTER) return null;
    return Promise.reject(
      new FeedError('network', `given up for this run: ${host} could not be reached for the ${down.feeds} feeds before this one (${down.first})`, {
        hint: 'it is tried again at the next fetch; check the network or the server',
        givenUp: true,
      }),
    );
  };

  /**
   * One request to a host: as one of several workers, it holds one of the host's slots shared by all of them,
   * taken once the host's delay since anyone's last request there has passed (each try of a feed is a request).
   */
  const gated = <T>(host: string, request: () => Promise<T>): Promise<T> => {
    if (!leases || host === '') return request();
    const m = f.hosts.get(host);
    return withHostSlot(leases, host, { perHost: m?.perHost ?? f.perHost, delayMs: m?.hostDelayMs ?? f.hostDelayMs }, o.worker!, o.signal, request);
  };

  // A feed's slot (concurrency, per host) is free once its HTTP exchange is over; it is parsed in a
  // worker, and its save is queued and committed with others. (These two hold an entry per feed, a
  // promise and then its FeedResult, never its items: what a run holds per item is in the backlog only.)
  const working: Promise<void>[] = [];
  const saving: Promise<FeedResult>[] = [];
  let failure: { err: unknown } | null = null;
  let itemsSaved = 0;
  const save = (fetched: Fetched): void => {
    const saved = saver.save(fetched.record, fetched.stories).then(
      (r) => {
        itemsSaved += r.new;
        fetched.release?.();
        leases?.releaseFeed(fetched.record.feedId, o.worker!.owner);
        o.onProgress?.(++done, due.length);
        return fetched.finish(r);
      },
      (err: unknown) => {
        fetched.release?.();
        throw err;
      },
    );
    saved.catch(() => undefined); // a failed commit is reported once the run has stopped (below)
    saving.push(saved);
  };
  // SQLite's page cache is smaller during a fetch, for the feeds and their replay
  store.pageCache?.(FETCH_PAGE_CACHE_BYTES);
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
          const ticket = await held.open();
          try {
            saver.check(); // (nor once it has while this waited)
          } catch (err) {
            ticket.cancel();
            throw err;
          }
          await new Promise<void>((slotFree) => {
            let freed = false;
            const free = () => {
              if (freed) return;
              freed = true;
              slotFree();
            };
            const work = one(feed, free, ticket).then(
              (fetched) => {
                free();
                ticket.cancel(); // (nothing held: not modified, failed, or not a feed)
                if (fetched) save(fetched);
              },
              (err: unknown) => {
                free();
                ticket.cancel();
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
    try {
      await Promise.all(working);
      await saver.drain();
      // a parser still loading is waited for, so that its workers are closed too
      await (parserLoad as Promise<unknown> | null)?.catch(() => undefined);
      await Promise.all([dispatcher?.close().catch(() => undefined), (parserLoaded as BodyParser | null)?.close()]);
    } finally {
      (restoreHeap as (() => void) | null)?.();
    }
  }
  // Every feed saved and the parse workers gone: the story replay's thread is started now, so that its start
  // (~0.15–0.2 s: the thread, its code, the word list) runs while the replay reads what it starts from.
  if (!failure && !o.signal?.aborted) (stories as Stories | null)?.assigner.startThread(itemsSaved);
  const settled = await Promise.allSettled(saving);
  // Ctrl-C: the feeds this worker claimed and did not save are given back at once, so that the next run
  // fetches them (not only once their leases end, minutes later); those it saved were given back already
  if (leases && o.signal?.aborted && !failure) for (const feed of due) leases.releaseFeed(feed.id, o.worker!.owner);
  const fetched: FeedResult[] = [];
  for (const s of settled) if (s.status === 'fulfilled') fetched.push(s.value);
  const stopped = failure ?? settled.map((s) => (s.status === 'rejected' ? { err: s.reason as unknown } : null)).find((x) => x !== null);
  if (stopped) {
    (stories as Stories | null)?.assigner.endThread();
    // A worker gives back the feeds it claimed and did not save (those saved were given back already), when
    // the database still answers (a lock held elsewhere); when it does not (the server went away), they wait
    // for their claims to run out.
    let kept = false;
    if (leases && !o.signal?.aborted) {
      for (const feed of claimed) {
        try {
          leases.releaseFeed(feed.id, o.worker!.owner);
        } catch {
          kept = true;
          break;
        }
      }
    }
    // (a worker's feeds come in batches: how many were due in all is not known)
    throw savedBefore(stopped.err, fetched.length, leases ? null : due.length, kept ? o.worker!.leaseMs : null);
  }
  // Every feed is saved, each with provisional stories: now the stories of what came in, replayed in
  // canonical order, so they do not depend on which feed finished first. (Interrupted too: what was
  // saved counts. Should this not happen, after a crash, the next fetch replays from the same point.)
  // (the provisional stories' maps are not needed by the replay: freed first) A run that read no feed loads the
  // stories' modules only when one is pending (Store.replayPending: one row read).
  // Interrupted (a first Ctrl-C or SIGTERM before the replay began): the replay is left to the next fetch, as
  // after a signal during it. It takes seconds for a big fetch (80,000 items: 18 s), and the person who
  // pressed Ctrl-C waited them out before the fetch ended.
  const replayLeft = Boolean(o.signal?.aborted) && (stories !== null || store.replayPending());
  let replayCut = false;
  try {
    const replaying = replayLeft ? null : ((stories as Stories | null) ?? (store.replayPending() ? await loadStories() : null));
    if (replayLeft) (stories as Stories | null)?.assigner.release();
    if (replaying) {
      replaying.assigner.release();
      o.onReplay?.(true, fetched.reduce((n, r) => n + r.itemsNew, 0));
      try {
        // a signal during it (SQLite: heard between its batches) rolls it back, left to the next fetch as above
        if (o.signal) replayCut = (await store.replayStoriesHeard(replaying.assigner.replay, replaying.options, o.signal)) === 'interrupted';
        else store.replayStories(replaying.assigner.replay, replaying.options);
      } finally {
        o.onReplay?.(false, 0);
      }
    }
  } finally {
    store.pageCache?.(null);
    // (a thread started for the replay and not taken by it: none ran, or a small one)
    (stories as Stories | null)?.assigner.endThread();
  }
  // accounts imported while this run parsed with the ones before: what it saved is matched again
  const matchedWith = store.readonly ? null : store.accountMatchFingerprint();
  if (matchedWith !== null && matchedWith !== accountMatcher.fingerprint) syncAccounts(store, { force: true });
  results.push(...fetched);
  // configured order, so reports are stable
  const order = new Map(feeds.map((feed, i) => [feed.url, i]));
  results.sort((a, b) => order.get(a.url)! - order.get(b.url)!);
  // (what this run stores is not matched to the topics it lacks: syncTopics marked them away, so the next
  // process whose config has them redoes their matches over the whole history)
  return { feeds: results, interrupted: Boolean(o.signal?.aborted), replayLeft: replayLeft || replayCut, ...(replayCut ? { replayInterrupted: true } : {}), warnAfter: f.warnAfter, ...(topicsElsewhere.length ? { topicsElsewhere } : {}), ...(definedOtherwise.length ? { topicsDefinedOtherwise: definedOtherwise } : {}) };
}

/**
 * The store failed mid-run (locked past its busy timeout, disk full...): its error, saying how many feeds were
 * saved before it and that the next fetch fetches the rest, in its one line.
 */
function savedBefore(err: unknown, saved: number, due: number | null, claimedMs: number | null = null): unknown {
  if (!(err instanceof StoreError)) return err;
  const plural = (n: number) => (n === 1 ? '' : 's');
  const note =
    saved === 0 ? 'no feed saved' : due === null ? `${saved} feed${plural(saved)} saved before that` : `${saved} of ${due} feed${plural(due)} saved before that`;
  const rest =
    claimedMs !== null
      ? `; the next fetch fetches the rest, and the feeds this worker had claimed once their claims run out, in ${Math.round(claimedMs / 60_000)} minutes: momentscan status shows them`
      : due === null
        ? '; the next fetch fetches the rest'
        : due > saved
          ? `; the next fetch fetches the other ${due - saved}`
          : '';
  return new StoreError(`${err.message} (${note}${rest})`, { ...(err.hint !== undefined ? { hint: err.hint } : {}), exitCode: err.exitCode, cause: err });
}

/** The stories' assigner during a fetch (provisional stories, ingest/stories.ts) and its replay's options. */
interface Stories {
  assigner: StoryAssigner & { replay: StoryReplayer; release(): void; startThread(items: number): unknown; endThread(): void };
  options: ReplayOptions;
}

/** Loads the stories' modules (~80 KB of enrich/stories.js, the replay's thread): when a feed is read, or a replay is pending. */
async function loadStories(): Promise<Stories> {
  const [{ STORY_MEMORY_MS, storyAssigner }, { STORY_LIFE_MS, STORY_WINDOW_MS }] = await Promise.all([import('./stories.js'), import('../enrich/stories.js')]);
  return { assigner: storyAssigner(), options: { windowMs: STORY_WINDOW_MS, memoryMs: STORY_MEMORY_MS, lifeMs: STORY_LIFE_MS } };
}

/** What a read brought besides the items (HTTP's answer; nothing for a source that is not a feed). */
interface Got {
  httpStatus: number | null;
  bytes: number;
  etag: string | null;
  lastModified: string | null;
  maxAgeMs: number | null;
  attempts: number;
  movedTo: string | null;
  notice: string | null;
  durationMs: number;
}

/**
 * Runs one request holding one of a host's request slots shared by every worker, waiting until the store
 * gives one: once the host's delay has passed, and one of its slots is free (polled while all are taken).
 * The slot is given back when the request is over; a worker that dies holding it loses it once its short
 * lease ends (about one request's timeout).
 */
async function withHostSlot<T>(
  leases: LeaseStore,
  host: string,
  manners: { perHost: number; delayMs: number },
  worker: { owner: string; slotLeaseMs: number },
  signal: AbortSignal | undefined,
  request: () => Promise<T>,
): Promise<T> {
  let slot: number | undefined;
  for (let poll = 10; slot === undefined; ) {
    // a request not started is not waited for after Ctrl-C: it fails as aborted, as an interrupted one does
    if (signal?.aborted) throw new FeedError('aborted', 'interrupted');
    const got = leases.claimHostSlot(host, manners, worker.slotLeaseMs, worker.owner);
    if ('slot' in got) slot = got.slot;
    else if (got.waitMs > 0) await sleep(got.waitMs + 1, signal);
    else {
      await sleep(poll, signal);
      poll = Math.min(250, poll * 2);
    }
  }
  try {
    return await request();
  } finally {
    leases.releaseHostSlot(host, slot, worker.owner);
  }
}

/** Waits `ms`, or less when the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A feed fetched and parsed: what to save, and its result once saved. */
interface Fetched {
  record: FetchRecord;
  /** Frees its place in the backlog (once saved, or failed to save). */
  release?: () => void;
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
    const { redirectProblem } = await import('../fetch/address.js');
    return (await redirectProblem(new URL(url), new URL(movedTo), allow)) !== null;
  } catch {
    return false;
  }
}
