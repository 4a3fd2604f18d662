/** Provisional stories during a fetch, and their replay in canonical order at its end. */
import type { EnrichedItem } from '../core/types.js';
import { StoryIndex, replayStories, storySignature, type StoryInput } from '../enrich/stories.js';
import type { Store, StoryAssigner, StoryReplayer } from '../store/store.js';

/** Stories seen this long ago or later are what new items may join (and what weighs their words). */
export const STORY_MEMORY_MS = 30 * 86_400_000;
/** Titles whose story tokens a fetch keeps for its replay. */
const TOKEN_CACHE_MAX = 200_000;

/**
 * Near-duplicate headlines across feeds become one story, provisionally: an index of recent stories
 * for this run, loaded in the first save's transaction and again whenever another fetch has replayed
 * stories meanwhile (its story ids may be gone). At its end the fetch replays them in canonical order
 * (`replay`, for Store.replayStories), so that they depend on the items only.
 */
export function storyAssigner(store: Store, now: number): StoryAssigner & { replay: StoryReplayer } {
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
