import type { Config } from '../config/schema.js';
import type { MatchableItem, Store } from '../store/store.js';
import { compileTopic, viewOf, type TopicMatcher } from './match.js';

/**
 * Records the configured topics and, for any topic that is new or whose definition changed, matches
 * every stored item against it again, so history counts for a topic added today.
 * Returns the matchers and the topic ids by name.
 */
export function syncTopics(
  config: Config,
  store: Store,
): { matchers: TopicMatcher[]; topicIds: Map<string, number>; rematched: string[]; definedOtherwise: TopicDefinedOtherwise[] } {
  const matchers = config.topics.map(compileTopic);
  const rows = store.syncTopics(matchers.map((m) => ({ name: m.name, definition: m.definition })));
  const definedOtherwise = rows.flatMap((r) => {
    if (r.definedOtherwise === undefined) return [];
    const [here, there] = definitionsApart(matchers.find((m) => m.name === r.name)!.definition, r.definedOtherwise);
    return [{ name: r.name, here, there }];
  });
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
  return { matchers, topicIds, rematched: changed.map((r) => r.name), definedOtherwise };
}

/** A topic whose stored matches another host (or config) made with another definition, redone by this run. */
export interface TopicDefinedOtherwise {
  name: string;
  /** This config's definition, and the other one, in words: what sets them apart (`query "acme"`, `languages de`). */
  here: string;
  there: string;
}

/** Two topic definitions (compileTopic's JSON) in words, by what sets them apart: the query, its languages, stemming, feeds. */
function definitionsApart(here: string, there: string): [string, string] {
  const read = (d: string): Record<string, unknown> => {
    try {
      return JSON.parse(d) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const [a, b] = [read(here), read(there)];
  const said = (o: Record<string, unknown>, k: string): string => {
    const v = o[k];
    if (k === 'query') return `query ${typeof v === 'string' ? v : '(none)'}`;
    if (k === 'languages') return `languages ${Array.isArray(v) && v.length ? v.join(', ') : 'any'}`;
    if (k === 'stem') return `stemming ${v ? 'on' : 'off'}`;
    return `feeds ${Array.isArray(v) && v.length ? v.join(', ') : 'none'}`;
  };
  const apart = ['query', 'languages', 'stem', 'feeds'].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
  const keys = apart.length ? apart : ['query'];
  return [keys.map((k) => said(a, k)).join('; '), keys.map((k) => said(b, k)).join('; ')];
}
