import type { TopicConfig } from '../config/schema.js';
import { foldText } from '../core/text.js';
import { LANGUAGES } from '../core/language.js';
import { compileQuery, compileQuerySet, prepareText, type CompiledQuery, type QuerySet, type StemLanguage, type TextView } from './query-match.js';

/** What matching looks at in an item. */
export interface MatchInput {
  title: string;
  summary: string;
  /** ISO 639-1 or null. */
  language: string | null;
  /** The configured URL of the feed it came from. */
  feedUrl: string;
}

/** A topic compiled for matching. */
export interface TopicMatcher {
  name: string;
  /** Serialised definition: when it changes, stored matches for the topic are redone. */
  definition: string;
  /** Does the item belong to the topic? `view` is prepareText(foldText(title + summary)), shared by all topics. */
  matches(input: MatchInput, view: TextView): boolean;
  /** Why: the query terms found (or "every item of its feeds"); empty when it does not match. */
  explain(input: MatchInput, view: TextView): string[];
  /** Does the topic take items in this language (null: unknown)? */
  accepts(language: string | null): boolean;
  /** Its query as compiled for items in this language; null for a topic made of whole feeds. */
  queryFor(language: string | null): CompiledQuery | null;
  /** The feeds a topic without a query is made of. */
  feeds: ReadonlySet<string>;
  /** The languages the topic takes (its `languages:`); null for any. */
  languages: readonly string[] | null;
}

const STEM_LANGUAGES = new Set<string>(LANGUAGES);

export function compileTopic(topic: TopicConfig): TopicMatcher {
  const ownFeeds = new Set(topic.feeds);
  const languages = topic.languages ? new Set(topic.languages) : null;
  const compiled = new Map<string, CompiledQuery>();
  const queryFor = (language: string | null): CompiledQuery | null => {
    if (!topic.query) return null;
    const stem = topic.stem && language && STEM_LANGUAGES.has(language) ? (language as StemLanguage) : null;
    const key = stem ?? '';
    let q = compiled.get(key);
    if (!q) compiled.set(key, (q = compileQuery(topic.query, { stemLanguage: stem })));
    return q;
  };
  const accepts = (language: string | null) => !languages || language === null || languages.has(language);
  const languageOk = (input: MatchInput) => accepts(input.language);
  return {
    accepts,
    queryFor,
    feeds: ownFeeds,
    languages: topic.languages,
    name: topic.name,
    definition: JSON.stringify({ query: topic.queryText, languages: topic.languages, stem: topic.stem, feeds: topic.query ? undefined : topic.feeds }),
    matches(input, view) {
      if (!languageOk(input)) return false;
      const q = queryFor(input.language);
      return q ? q.test(view) : ownFeeds.has(input.feedUrl);
    },
    explain(input, view) {
      if (!languageOk(input)) return [];
      const q = queryFor(input.language);
      if (q) return q.explain(view);
      return ownFeeds.has(input.feedUrl) ? ['(every item of its feeds)'] : [];
    },
  };
}

/** The text view every topic's query looks at: title and summary, folded, prepared once. */
export function viewOf(input: Pick<MatchInput, 'title' | 'summary'>): TextView {
  return prepareText(foldText(`${input.title}\n${input.summary}`));
}

/** The topics that can take items in one language, with their queries matched as one set. */
interface LanguageSet {
  queries: QuerySet;
  /** The matcher behind each query of the set. */
  queryTopics: number[];
  /** Matchers made of whole feeds. */
  feedTopics: number[];
}

const setsOf = new WeakMap<readonly TopicMatcher[], Map<string | null, LanguageSet>>();

function languageSet(matchers: readonly TopicMatcher[], language: string | null): LanguageSet {
  let sets = setsOf.get(matchers);
  if (!sets) setsOf.set(matchers, (sets = new Map()));
  let set = sets.get(language);
  if (!set) {
    const queryTopics: number[] = [];
    const queries: CompiledQuery[] = [];
    const feedTopics: number[] = [];
    matchers.forEach((m, i) => {
      if (!m.accepts(language)) return;
      const q = m.queryFor(language);
      if (q) {
        queryTopics.push(i);
        queries.push(q);
      } else feedTopics.push(i);
    });
    sets.set(language, (set = { queries: compileQuerySet(queries), queryTopics, feedTopics }));
  }
  return set;
}

/**
 * Names of the topics the item belongs to, in the matchers' order. Every item of a fetch meets every
 * topic, so the topics' queries are matched as one set (an index from the words they need: an item
 * costs a lookup per word, not a test per topic); the same answer as asking each matcher.
 */
export function matchTopics(matchers: readonly TopicMatcher[], input: MatchInput): string[] {
  if (matchers.length === 0) return [];
  const set = languageSet(matchers, input.language);
  // (loops, not map(): see enrichItems)
  const hits = set.queries.match(viewOf(input));
  const found: number[] = [];
  for (let k = 0; k < hits.length; k++) found.push(set.queryTopics[hits[k]!]!);
  for (const i of set.feedTopics) if (matchers[i]!.feeds.has(input.feedUrl)) found.push(i);
  if (set.feedTopics.length > 0) found.sort((a, b) => a - b);
  const names: string[] = [];
  for (let k = 0; k < found.length; k++) names.push(matchers[found[k]!]!.name);
  return names;
}
