import type { TopicConfig } from '../config/schema.js';
import { foldText } from '../core/text.js';

/** A topic compiled for matching. */
export interface TopicMatcher {
  name: string;
  /** Serialised definition: when it changes, stored matches for the topic are redone. */
  definition: string;
  /** Does the text (any case, any accents) match? */
  test(text: string): boolean;
  /** The same on text already passed through foldText(): fold once, test many topics. */
  testFolded(folded: string): boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A whole-word pattern for a keyword or phrase; words in a phrase may be separated by any non-letters. */
function phrasePattern(phrase: string): string | null {
  const words = foldText(phrase).match(/[\p{L}\p{N}]+/gu);
  if (!words) return null;
  return `(?<![\\p{L}\\p{N}])${words.map(escapeRegExp).join('[^\\p{L}\\p{N}]+')}(?![\\p{L}\\p{N}])`;
}

function compileList(phrases: string[]): RegExp | null {
  const parts = phrases.map(phrasePattern).filter((p): p is string => p !== null);
  return parts.length ? new RegExp(parts.join('|'), 'u') : null;
}

export function compileTopic(topic: TopicConfig): TopicMatcher {
  const include = compileList(topic.keywords);
  const exclude = compileList(topic.exclude);
  const testFolded = (folded: string): boolean => include !== null && include.test(folded) && !(exclude && exclude.test(folded));
  return {
    name: topic.name,
    definition: JSON.stringify({ keywords: topic.keywords, exclude: topic.exclude }),
    test: (text) => testFolded(foldText(text)),
    testFolded,
  };
}

/** Names of the topics whose keywords occur in the item's title or summary. */
export function matchTopics(matchers: TopicMatcher[], title: string, summary: string): string[] {
  if (matchers.length === 0) return [];
  const folded = foldText(`${title}\n${summary}`);
  return matchers.filter((m) => m.testFolded(folded)).map((m) => m.name);
}
