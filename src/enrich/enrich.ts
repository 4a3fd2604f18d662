import type { EnrichedItem, ParsedItem } from '../core/types.js';
import { matchTopics, type TopicMatcher } from './match.js';
import { scoreSentiment } from './sentiment.js';

/** Sentiment of title + summary, and the topics the item belongs to. */
export function enrichItems(items: ParsedItem[], matchers: TopicMatcher[]): EnrichedItem[] {
  return items.map((item) => ({
    ...item,
    sentiment: scoreSentiment(item.summary ? `${item.title}. ${item.summary}` : item.title),
    topics: matchTopics(matchers, item.title, item.summary),
  }));
}
