import type { Config } from '../config/schema.js';
import { autoBucket } from '../detect/detect.js';
import { learningUntil } from '../detect/readiness.js';
import { standardOffset } from '../core/time.js';
import { syncTopics } from '../enrich/sync-topics.js';
import type { Store } from '../store/store.js';
import type { TopicRow } from './types.js';
import { topicHistoryStart } from './coverage.js';
import { flagThreshold, learnThreshold } from './thresholds.js';
import type { Sensitivity } from '../config/schema.js';

/** Each configured topic with its items, learning state and last moment (store read as it is; nothing fetched). */
export function topicRows(config: Config, store: Store | null, now: number, sensitivity?: Sensitivity, warn?: (line: string) => void): TopicRow[] {
  const labels = store?.feedback.labels() ?? [];
  const ids = store ? syncTopics(config, store, warn).topicIds : new Map<string, number>();
  const totals = store?.topicTotals() ?? new Map<number, { items: number; stories: number }>();
  const last = store?.lastMoments() ?? new Map();
  return config.topics.map((t) => {
    const id = ids.get(t.name);
    const setting = t.bucketMs ?? config.defaults.bucketMs;
    const bucketMs = setting === 'auto' ? autoBucket() : setting;
    const firstItemAt = store && id !== undefined ? store.firstItemAt(id) : null;
    // learning as moments judges it: from where the history starts for detection (an old item alone before the rest is not it)
    const until = learningUntil(store && id !== undefined ? topicHistoryStart(store, id) : null, bucketMs, standardOffset(config.defaults.timeZone, now));
    const total = id === undefined ? undefined : totals.get(id);
    const own = labels.filter((l) => l.topic === t.name);
    const count = (v: string) => own.filter((l) => l.verdict === v).length;
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
      threshold: sensitivity ? flagThreshold(sensitivity) : learnThreshold(config.defaults.sensitivity, own, now, config.defaults.timeZone),
      labels: { real: count('real'), noise: count('noise'), planned: count('planned') },
    };
  });
}
