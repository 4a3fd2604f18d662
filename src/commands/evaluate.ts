import type { Config, Sensitivity } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import { iso } from '../core/time.js';
import type { Moment } from '../core/types.js';
import { detectMoments } from '../detect/detect.js';
import { explainMoment } from '../detect/explain.js';
import { rankMoments } from '../rank/rank.js';
import type { MomentRow } from '../render/moments.js';
import type { Store } from '../store/store.js';
import { syncTopics } from './topics.js';

/** Items published before the evaluation time may still be fetched (and found overflowing) this long after it. */
const MAX_FETCH_LAG_MS = 2 * 86_400_000;

/** A feed that overflowed during the moment or its baseline makes the counts there low. */
export function undercountCaveats(m: Moment, baselineMs: number, periods: { feedUrl: string; start: number; end: number }[]): string[] {
  const out: string[] = [];
  for (const p of periods) {
    const where = p.start < m.end && p.end > m.start ? 'during the moment' : p.start < m.start && p.end > m.start - baselineMs ? 'in its baseline' : null;
    if (where) out.push(`${p.feedUrl} may have dropped items between ${iso(p.start)} and ${iso(p.end)} (${where}): counts there may be low`);
  }
  return [...new Set(out)].slice(0, 5);
}

/** Bucket sizes `auto` chooses from. */
const AUTO_BUCKETS = [3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 24 * 3_600_000];
/** Stories a bucket should hold on average for its count to say something. */
const AUTO_TARGET_PER_BUCKET = 4;

/**
 * The smallest bucket in which the topic's usual volume (stories over the baseline before the evaluation
 * time: causal) reaches a few stories: busy topics get hourly buckets and are judged within the hour,
 * quiet ones daily buckets.
 */
export function autoBucket(storiesInBaseline: number, baselineMs: number): number {
  const perMs = storiesInBaseline / baselineMs;
  return AUTO_BUCKETS.find((b) => perMs * b >= AUTO_TARGET_PER_BUCKET) ?? AUTO_BUCKETS[AUTO_BUCKETS.length - 1]!;
}

export interface EvaluateOptions {
  asOf: number;
  /** Start of the reporting window. */
  from: number;
  topics?: string[];
  sensitivity?: Sensitivity;
  limit?: number;
  /** Replay: report what would have fired, when, and do not record the moments as seen. */
  backtest?: boolean;
}

export interface Evaluation {
  rows: MomentRow[];
  topics: number;
  from: number;
  asOf: number;
}

/** Per topic: bucket counts from SQL → detect → explain (items from SQL) → rank → remember. */
export function evaluate(config: Config, store: Store, o: EvaluateOptions): Evaluation {
  const { topicIds } = syncTopics(config, store);
  let topics = config.topics;
  if (o.topics && o.topics.length > 0) {
    const wanted = new Set(o.topics.map((t) => t.toLowerCase()));
    topics = config.topics.filter((t) => wanted.has(t.name.toLowerCase()));
    const unknown = o.topics.filter((t) => !config.topics.some((c) => c.name.toLowerCase() === t.toLowerCase()));
    if (unknown.length > 0) {
      throw new UsageError(`--topic: no topic named "${unknown[0]}" in the config`, {
        hint: config.topics.length ? `topics are: ${config.topics.map((t) => t.name).join(', ')}` : 'add topics to the config (momentscan init writes an example)',
      });
    }
  }
  const sensitivity = o.sensitivity ?? config.defaults.sensitivity;
  const baselineMs = config.defaults.baselineMs;
  const found: Moment[] = [];
  for (const topic of topics) {
    const topicId = topicIds.get(topic.name)!;
    const setting = topic.bucketMs ?? config.defaults.bucketMs;
    const bucketMs = setting === 'auto' ? autoBucket(store.countStories(topicId, o.asOf - baselineMs, o.asOf + 1), baselineMs) : setting;
    const buckets = store.bucketCounts(topicId, o.from - baselineMs - 2 * bucketMs, o.asOf + 1, bucketMs);
    const moments = detectMoments(topic.name, buckets, {
      asOf: o.asOf,
      from: o.from,
      bucketMs,
      baselineMs,
      sensitivity,
      historyStart: store.firstItemAt(topicId),
    });
    const overflows = moments.length ? store.overflowPeriods(topicId, o.from - baselineMs, o.asOf + MAX_FETCH_LAG_MS) : [];
    for (const m of moments) {
      const items = store.itemsBetween(topicId, m.start, Math.min(m.end, o.asOf + 1), 2000);
      // a sample of the baseline is enough to tell which words are new
      const baseline = store.itemsBetween(topicId, m.start - baselineMs, m.start, 800);
      found.push({ ...explainMoment(m, items, baseline, topic.keywords), caveats: undercountCaveats(m, baselineMs, overflows) });
    }
  }
  const ranked = o.backtest ? rankMoments(found).sort((a, b) => a.firedAt - b.firedAt).map((m, i) => ({ ...m, rank: i + 1 })) : rankMoments(found);
  const rows: MomentRow[] = o.backtest
    ? ranked.map((m) => ({ ...m, firstSeenAt: m.firedAt }))
    : (() => {
        const saved = store.saveMoments(ranked.map((m) => ({ topicId: topicIds.get(m.topic)!, moment: m })), o.asOf);
        return ranked.map((m, i) => ({ ...m, firstSeenAt: saved[i]!.firstSeenAt }));
      })();
  return { rows: o.limit === undefined ? rows : rows.slice(0, o.limit), topics: topics.length, from: o.from, asOf: o.asOf };
}
