import type { TopicConfig } from '../config/schema.js';
import { foldText } from '../core/text.js';
import { compileQuery, prepareText, type CompiledQuery, type StemLanguage, type TextView } from './query-match.js';

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
}

const STEM_LANGUAGES = new Set<string>(['en', 'nl', 'de', 'fr', 'es']);

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
  const languageOk = (input: MatchInput) => !languages || input.language === null || languages.has(input.language);
  return {
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

/** Names of the topics the item belongs to. */
export function matchTopics(matchers: TopicMatcher[], input: MatchInput): string[] {
  if (matchers.length === 0) return [];
  const view = viewOf(input);
  return matchers.filter((m) => m.matches(input, view)).map((m) => m.name);
}
