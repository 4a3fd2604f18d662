/** Provisional stories during a fetch, and their replay in canonical order at its end. */
import { smallHeap } from '../core/heap.js';
import { ReplayStream, storySignature } from '../enrich/stories.js';
import type { StoryAssigner, StoryReplayer, StoryRow } from '../store/store.js';
import { endStoryWorker, startStoryWorker, storyThread, THREAD_MIN_ITEMS, type StoryThreadOptions, type StoryWorker } from './story-thread.js';

/** Stories seen this long ago or later are what new items may join (and what weighs their words). */
export const STORY_MEMORY_MS = 30 * 86_400_000;
/**
 * Provisional stories remembered at once; past this many the maps start again. Their keys (headline
 * signatures, canonical URLs) were ~0.3 KB an item, some 25 MB of the main thread's heap before the maps
 * started again at 50,000 stories (the bench's 100,000 items make ~53,000 provisional stories); at 10,000
 * about 5 MB, for ~18% more provisional stories, which the replay replaces anyway.
 */
const PROVISIONAL_MAX = 10_000;

/**
 * Stories during a fetch are provisional, or none: the replay at its end (`replay`, for Store.replayStories)
 * clusters every item of the run in canonical order, whatever story it was saved in, so that stories
 * depend on the items only. So both stores (SQLite, PostgreSQL) save a fetch's items with no story until
 * then (`pending`: each counts as a story of its own; the provisional rows cost the save about a third of
 * its CPU, and the replay deleted ~52,000 of them for the bench's 100,000 items): a fetch never calls the
 * maps below. They serve a caller that saves without `pending` (the stores' tests and the save bench of
 * that path), where provisional stories are made cheaply: an item joins a story of this
 * run with the same canonical URL or the same headline tokens, else starts one. (Matching near-
 * duplicates here as well cost as much as the replay itself: half the fetch's time on the main
 * thread for 2,000 news feeds.) Between the saves and the replay, and after a crash until the next
 * fetch replays, stories are finer than they will be. Memory is bounded: at most PROVISIONAL_MAX
 * stories, whatever the run's size. The replay makes the titles' tokens again (storyTokens) rather than
 * keep them from the parse: a cache of them held ~10 MB for the bench's 100,000 items (63,000 distinct
 * titles) and saved ~0.2 s of CPU (tokenizing them took 0.28 s, looking them up 0.09 s).
 */
export function storyAssigner(threads: StoryThreadOptions = {}): StoryAssigner & { replay: StoryReplayer; release(): void; startThread(items: number): StoryWorker | null; endThread(): void } {
  // the replay's worker, started before the replay (startThread) and not taken by it yet, and the small heap
  // it is started with (as the replay's own steps are: core/heap.ts), until the replay runs
  let ahead: StoryWorker | null = null;
  let aheadHeap: (() => void) | null = null;
  const taken = (): StoryWorker | null => {
    const w = ahead;
    ahead = null;
    aheadHeap?.();
    aheadHeap = null;
    return w;
  };
  let generation: number | null = null;
  let bySignature = new Map<string, number>();
  let byUrl = new Map<string, number>();
  let span = new Map<number, { first: number; last: number }>();
  const reset = (): void => {
    bySignature = new Map();
    byUrl = new Map();
    span = new Map();
  };
  // (only for a save that is not `pending`: a fetch never asks)
  const signature = (it: { title: string }): string => storySignature(it.title);
  return {
    // every item a fetch saves is replayed at its end (run.ts): saved with no story until then
    pending: true,
    find: (it) => (it.canonicalUrl !== null ? byUrl.get(it.canonicalUrl) : undefined) ?? bySignature.get(signature(it)) ?? null,
    signature,
    stored: (id, it, created) => {
      const sig = signature(it);
      if (created && span.size >= PROVISIONAL_MAX) reset();
      const s = span.get(id);
      if (s) {
        s.first = Math.min(s.first, it.publishedAt);
        s.last = Math.max(s.last, it.publishedAt);
      } else span.set(id, { first: it.publishedAt, last: it.publishedAt });
      if (sig !== '' && !bySignature.has(sig)) bySignature.set(sig, id);
      if (it.canonicalUrl !== null && !byUrl.has(it.canonicalUrl)) byUrl.set(it.canonicalUrl, id);
    },
    covers: (id, publishedAt) => {
      const s = span.get(id);
      return s !== undefined && publishedAt >= s.first && publishedAt <= s.last;
    },
    sync: (current) => {
      // another fetch replayed stories meanwhile: the ids held may be gone
      if (current !== generation) reset();
      generation = current;
    },
    // the provisional maps, once every feed is saved
    release: () => {
      reset();
      generation = null;
    },
    replay: Object.assign((known: StoryRow[]) => new ReplayStream(known, { memoryMs: STORY_MEMORY_MS }), {
      threaded: (known: StoryRow[], items: number) => {
        const started = taken();
        const thread = storyThread(known, items, { memoryMs: STORY_MEMORY_MS }, threads, started);
        if (thread === null && started !== null) endStoryWorker(started);
        return thread;
      },
    }),
    // Once a fetch has saved enough new items for its replay to take a thread, that thread is started before
    // the replay (which sends it the known stories it reads meanwhile) and clusters its first batch at once.
    startThread: (items: number) => {
      if (ahead === null && items >= (threads.minItems ?? THREAD_MIN_ITEMS)) {
        aheadHeap = smallHeap();
        ahead = startStoryWorker(threads);
        if (ahead === null) taken();
      }
      return ahead;
    },
    // (a thread started and not taken: ended, settled, core/worker-end.ts)
    endThread: () => {
      const w = taken();
      if (w !== null) endStoryWorker(w);
    },
  };
}
