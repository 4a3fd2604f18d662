import type { Config } from '../config/schema.js';
import type { MatchableItem, Store } from '../store/store.js';
import { compileTopic, viewOf, type TopicMatcher } from './match.js';

/**
 * Records the configured topics and, for any topic that is new or whose definition changed, matches
 * every stored item against it again, so history counts for a topic added today.
 * Returns the matchers and the topic ids by name.
 */
export function syncTopics(config: Config, store: Store): { matchers: TopicMatcher[]; topicIds: Map<string, number>; rematched: string[] } {
  const matchers = config.topics.map(compileTopic);
  const rows = store.syncTopics(matchers.map((m) => ({ name: m.name, definition: m.definition })));
  const topicIds = new Map(rows.map((r) => [r.name, r.id]));
  const changed = rows.filter((r) => r.changed);
  if (changed.length > 0) {
    const byName = new Map(matchers.map((m) => [m.name, m]));
    const found = new Map<number, MatchableItem[]>(changed.map((r) => [r.id, []]));
    for (const page of store.itemTexts()) {
      for (const it of page) {
        const view = viewOf(it);
        for (const r of changed) {
          if (byName.get(r.name)!.matches(it, view)) found.get(r.id)!.push(it);
        }
      }
    }
    for (const r of changed) store.replaceTopicMatches(r.id, byName.get(r.name)!.definition, found.get(r.id)!);
  }
  return { matchers, topicIds, rematched: changed.map((r) => r.name) };
}
