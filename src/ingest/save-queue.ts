/** The ingest save queue: fetches committed in batches, each all-or-nothing. */
import { NO_STORIES, type FetchRecord, type SaveResult, type Store, type StoryAssigner } from '../store/store.js';

/** Fetches are committed together when this many are waiting (unless the caller says how many)… */
const BATCH_FEEDS = 16;
/** …or when the first of them has waited this long. */
const BATCH_WAIT_MS = 200;
/** At most this many fetches in one commit. */
const MAX_BATCH = 64;
/** Another process holds the writer lock (fetch --worker): ask again this much later… */
const BUSY_RETRY_MS = 10;
/** …and after this long, wait for it, this long at a time (the event loop turns between: Ctrl-C is heard). */
const BUSY_PATIENCE_MS = 2_000;
const BUSY_WAIT_MS = 500;

export interface SaveQueue {
  save(rec: FetchRecord, stories?: StoryAssigner): Promise<SaveResult>;
  /** Throws the StoreError of a commit that failed. */
  check(): void;
  /** Commits everything waiting, now. */
  flushAll(): void;
  /**
   * Commits everything waiting; on a store several processes write, waiting for another's commit a moment
   * at a time, so that a Ctrl-C meanwhile is heard (flushAll blocks this thread until the lock is free).
   */
  drain(): Promise<void>;
}

/**
 * Saves fetches in batches. Each fetch is saved all-or-nothing (one that fails fails its whole batch);
 * fetches that finish within BATCH_WAIT_MS of each other (up to MAX_BATCH) are committed in one transaction. A commit
 * writes every page its saves touched, and a stored item touches a leaf of each index, so committing
 * feed by feed writes the same index pages over and over: a 2,000-feed run commits about 150 times
 * instead of 2,000 and spends half as long in SQLite. A fetch waits at most BATCH_WAIT_MS to be
 * committed; Ctrl-C commits what is waiting before it stops, and a crash loses only the feeds not yet
 * committed (never part of one). Should a commit fail, every fetch in it fails with the StoreError,
 * which ends the run. On a store several processes write (PostgreSQL), a commit that would wait for
 * another process's is put off a few milliseconds instead (up to BUSY_PATIENCE_MS), so that this thread
 * keeps the network going meanwhile: the requests the others' manners let through go out on time; then it
 * waits for it BUSY_WAIT_MS at a time, the event loop turning between (a Ctrl-C is heard at once).
 */
export function saveQueue(store: Store, topicIds: ReadonlyMap<string, number>, o: { batchFeeds?: number } = {}): SaveQueue {
  const batchFeeds = Math.min(MAX_BATCH, Math.max(1, o.batchFeeds ?? BATCH_FEEDS));
  let queue: { rec: FetchRecord; stories: StoryAssigner; resolve: (r: SaveResult) => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let failed: { err: unknown } | null = null;
  /** Since when commits have found the writer lock taken. */
  let busySince: number | null = null;
  const flush = (wait: boolean, slice = false): void => {
    clearTimeout(timer);
    clearImmediate(immediate);
    timer = immediate = undefined;
    const batch = queue.slice(0, MAX_BATCH);
    queue = queue.slice(batch.length);
    if (queue.length > 0) immediate = setImmediate(later);
    if (batch.length === 0) return;
    let results: SaveResult[];
    try {
      if (failed) throw failed.err;
      const saveAll = (): SaveResult[] => batch.map((b) => store.saveFetch(b.rec, topicIds, b.stories));
      const patient = busySince !== null && performance.now() - busySince > BUSY_PATIENCE_MS;
      const got = wait || !store.tryTogether ? { value: store.together(saveAll) } : store.tryTogether(saveAll, patient || slice ? BUSY_WAIT_MS : 0);
      if (got === null) {
        // another process is committing: again shortly, with whatever has come in meanwhile
        busySince ??= performance.now();
        queue = [...batch, ...queue];
        clearImmediate(immediate);
        immediate = undefined;
        timer = setTimeout(later, patient ? 0 : BUSY_RETRY_MS);
        return;
      }
      busySince = null;
      results = got.value;
    } catch (err) {
      failed ??= { err };
      for (const b of batch) b.reject(err);
      return;
    }
    batch.forEach((b, i) => b.resolve(results[i]!));
  };
  const later = (): void => flush(false);
  return {
    save: (rec, stories = NO_STORIES) =>
      new Promise((resolve, reject) => {
        queue.push({ rec, stories, resolve, reject });
        if (queue.length >= batchFeeds) immediate ??= setImmediate(later);
        else timer ??= setTimeout(later, BATCH_WAIT_MS);
      }),
    check: () => {
      if (failed) throw failed.err;
    },
    flushAll: () => {
      while (queue.length > 0) flush(true);
      clearImmediate(immediate);
      immediate = undefined;
    },
    drain: async () => {
      while (queue.length > 0) {
        flush(!store.tryTogether, true);
        clearTimeout(timer);
        clearImmediate(immediate);
        timer = immediate = undefined;
        if (queue.length > 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
    },
  };
}
