/** Provisional stories during a fetch, and their replay in canonical order at its end. */
import { ReplayStream, storySignature } from '../enrich/stories.js';
import type { StoryAssigner, StoryReplayer } from '../store/store.js';

/** Stories seen this long ago or later are what new items may join (and what weighs their words). */
export const STORY_MEMORY_MS = 30 * 86_400_000;
/** Titles whose story tokens a fetch keeps for its replay. */
const TOKEN_CACHE_MAX = 200_000;
/** Provisional stories remembered at once; past this many the maps start again. */
const PROVISIONAL_MAX = 50_000;

/**
 * Stories during a fetch are provisional: the replay at its end (`replay`, for Store.replayStories)
 * clusters every item of the run in canonical order, whatever story it was saved in, so that stories
 * depend on the items only. So the provisional ones are made cheaply: an item joins a story of this
 * run with the same canonical URL or the same headline tokens, else starts one. (Matching near-
 * duplicates here as well cost as much as the replay itself: half the fetch's time on the main
 * thread for 2,000 news feeds.) Between the saves and the replay, and after a crash until the next
 * fetch replays, stories are finer than they will be. Memory is bounded: at most PROVISIONAL_MAX
 * stories and TOKEN_CACHE_MAX titles' tokens, whatever the run's size.
 */
export function storyAssigner(): StoryAssigner & { replay: StoryReplayer; release(): void } {
  let generation: number | null = null;
  let bySignature = new Map<string, number>();
  let byUrl = new Map<string, number>();
  let span = new Map<number, { first: number; last: number }>();
  const reset = (): void => {
    bySignature = new Map();
    byUrl = new Map();
    span = new Map();
  };
  // the tokens of this run's titles (from the parse workers), so that the replay need not make them again:
  // joined, as the signature is (one string, shared with bySignature, instead of an array of strings)
  const tokens = new Map<string, string>();
  const signature = (it: { title: string; storyTokens?: string[] }): string => it.storyTokens?.join(' ') ?? storySignature(it.title);
  return {
    find: (it) => (it.canonicalUrl !== null ? byUrl.get(it.canonicalUrl) : undefined) ?? bySignature.get(signature(it)) ?? null,
    signature,
    stored: (id, it, created) => {
      // (bounded: past this many titles the replay makes the tokens again)
      const sig = signature(it);
      if (it.storyTokens && tokens.size < TOKEN_CACHE_MAX) tokens.set(it.title, sig);
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
    // the provisional maps, once every feed is saved (the token cache stays, for the replay)
    release: () => {
      reset();
      generation = null;
    },
    replay: (known) => {
      const stream = new ReplayStream(known, { memoryMs: STORY_MEMORY_MS });
      return {
        push: (it) => {
          const t = tokens.get(it.title);
          return stream.push(t === undefined ? it : { ...it, tokens: t === '' ? [] : t.split(' ') });
        },
        get signature() {
          return stream.signature;
        },
        get followUp() {
          return stream.followUp;
        },
        lifeMs: stream.lifeMs,
        windowMs: stream.windowMs,
      };
    },
  };
}
