import { existsSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import { autoBucket } from '../detect/detect.js';
import { learningUntil } from '../detect/readiness.js';
import { compileTopic, viewOf, type TopicMatcher } from '../enrich/match.js';
import { render } from '../render/index.js';
import { topicsListing, type TopicRow } from '../render/topics.js';
import { Store, type MatchableItem } from '../store/store.js';
import { chooseFormat, configFor, processEnv, renderContext, writeOut, type GlobalOptions, type OutputOptions } from './context.js';

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

/** Each configured topic with its items, learning state and last moment (store read as it is; nothing fetched). */
export function topicRows(config: Config, store: Store | null, now: number): TopicRow[] {
  const ids = store ? syncTopics(config, store).topicIds : new Map<string, number>();
  const totals = store?.topicTotals() ?? new Map<number, { items: number; stories: number }>();
  const last = store?.lastMoments() ?? new Map();
  return config.topics.map((t) => {
    const id = ids.get(t.name);
    const setting = t.bucketMs ?? config.defaults.bucketMs;
    const bucketMs = setting === 'auto' ? autoBucket() : setting;
    const firstItemAt = store && id !== undefined ? store.firstItemAt(id) : null;
    const until = learningUntil(firstItemAt, bucketMs);
    const total = id === undefined ? undefined : totals.get(id);
    return {
      name: t.name,
      query: t.queryText,
      feeds: t.feeds.length,
      sources: [...new Set(t.feeds.map((f) => config.feedKinds.get(f) ?? 'rss'))].sort(),
      items: total?.items ?? 0,
      stories: total?.stories ?? 0,
      firstItemAt,
      learningUntil: until,
      learning: until === null || until > now,
      lastMoment: (id === undefined ? undefined : last.get(id)) ?? null,
    };
  });
}

/** `momentscan topics`: each topic's query, feeds, items, learning state and last moment. */
export async function run(g: GlobalOptions, o: OutputOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config, dbPath } = configFor(g, env);
  const now = env.now();
  // no database yet: every topic has no items (and none is created just to say so)
  const store = existsSync(dbPath) ? Store.open(dbPath) : null;
  let rows: TopicRow[];
  try {
    rows = topicRows(config, store, now);
  } finally {
    store?.close();
  }
  await writeOut(render(format, topicsListing(rows), renderContext(g, o, env, now)));
  return 0;
}
