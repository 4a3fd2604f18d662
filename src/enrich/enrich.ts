import type { EnrichedItem, ParsedItem } from '../core/types.js';
import { detectLanguage } from './language.js';
import { matchTopics, type TopicMatcher } from './match.js';
import { scoreSentiment } from './sentiment.js';

export interface EnrichContext {
  /** The configured URL of the feed the items came from. */
  feedUrl: string;
  /** The language the feed declares or was asked for, if any. */
  declaredLanguage: string | null;
}

/** Enough letters for the language of the text alone to be trusted. */
const CONFIDENT_LETTERS = 60;

/**
 * Language, sentiment and topics of a feed's items. The language of short items (headlines) is hard
 * to tell alone: the feed's declared language, else the language most of its longer items are in,
 * settles it.
 */
export function enrichItems(items: ParsedItem[], matchers: TopicMatcher[], ctx: EnrichContext): EnrichedItem[] {
  const texts = items.map((it) => (it.summary ? `${it.title}. ${it.summary}` : it.title));
  let hint = ctx.declaredLanguage;
  if (!hint) {
    const votes = new Map<string, number>();
    texts.forEach((t) => {
      if (t.replace(/[^\p{L}]/gu, '').length < CONFIDENT_LETTERS) return;
      const l = detectLanguage(t);
      if (l) votes.set(l, (votes.get(l) ?? 0) + 1);
    });
    const [top] = [...votes].sort((a, b) => b[1] - a[1]);
    const confident = [...votes.values()].reduce((a, b) => a + b, 0);
    if (top && top[1] >= 3 && top[1] / confident >= 0.6) hint = top[0];
  }
  return items.map((item, i) => {
    const language = detectLanguage(texts[i]!, hint);
    return {
      ...item,
      language,
      sentiment: scoreSentiment(texts[i]!),
      topics: matchTopics(matchers, { title: item.title, summary: item.summary, language, feedUrl: ctx.feedUrl }),
    };
  });
}
