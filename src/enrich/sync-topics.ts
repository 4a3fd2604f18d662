import type { Config } from '../config/schema.js';
import type { MatchableItem, Store } from '../store/store.js';
import { fmtCount } from '../core/limits.js';
import { stripControl } from '../core/text.js';
import { compileTopic, viewOf, type TopicMatcher } from './match.js';

/**
 * Records the configured topics and, for any topic that is new or whose definition changed, matches
 * every stored item against it again, so history counts for a topic added today.
 * Returns the matchers and the topic ids by name. `warn`, when given, is told in one line of each topic whose
 * stored matches this call redid over stored items (a reading command run with a config whose query differs
 * from the one the items were matched with changes the topic's history: the user is told).
 */
export function syncTopics(
  config: Config,
  store: Store,
  warn?: (line: string) => void,
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
    let seen = 0;
    for (const page of store.itemTexts()) {
      seen += page.length;
      for (const it of page) {
        const view = viewOf(it);
        for (const r of changed) {
          if (byName.get(r.name)!.matches(it, view)) found.get(r.id)!.push(it);
        }
      }
    }
    for (const r of changed) {
      const m = byName.get(r.name)!;
      store.replaceTopicMatches(r.id, m.definition, found.get(r.id)!);
      if (warn && seen > 0) warn(rematchedLine(r.name, m.definition, r.was ?? null, found.get(r.id)!.length, seen));
    }
  }
  return { matchers, topicIds, rematched: changed.map((r) => r.name), definedOtherwise };
}

/**
 * A topic's matches redone over the stored items, in words: the definition they were made with and this
 * config's (what sets them apart), or that the topic is new to the database; how many items match it now.
 */
function rematchedLine(name: string, here: string, was: string | null, matched: number, items: number): string {
  const counts = `${fmtCount(matched)} match${matched === 1 ? 'es' : ''} it`;
  if (was === null) return `topic ${stripControl(name)} is new to this database: its ${fmtCount(items)} stored items were matched against it, and ${counts}`;
  const [now, then] = definitionsApart(here, was);
  return `topic ${stripControl(name)} is defined otherwise than when the stored items were matched to it (then ${then}; now ${now}): the ${fmtCount(items)} stored items were matched again, ${counts} now, and its counts and moments follow this config — a run with the config the database is fetched with matches them back`;
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
