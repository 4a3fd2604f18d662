import type { Config, Sensitivity } from '../config/schema.js';
import { UsageError } from '../core/errors.js';
import type { Moment } from '../core/types.js';
import { autoBucket, engineStart, fits, resumeStart, shiftOf, type EngineSnapshot } from '../detect/detect.js';
import { gridBucketCounts, MAX_FETCH_LAG_MS, topicHistoryStart, withUnfetched } from './coverage.js';
import { explainMoment, undercountCaveats } from '../detect/explain.js';
import { learningUntil } from '../detect/readiness.js';
import { rankMoments } from '../rank/rank.js';
import type { MomentRow } from './types.js';
import type { Label, Store } from '../store/store.js';
import { bucketStart, standardOffset } from '../core/time.js';
import { QUARTER_MS } from '../store/db.js';
import { detectAll, engineKey, type TopicInput, type TopicResult, type TopicTask } from '../detect/topics.js';
import { syncAccounts } from '../enrich/sync-accounts.js';
import { syncTopics } from '../enrich/sync-topics.js';
import { notesFor } from './notes.js';
import { engineTuning, flagThreshold, learnThreshold, type Threshold } from './thresholds.js';


export interface EvaluateOptions {
  asOf: number;
  /** Start of the reporting window. */
  from: number;
  topics?: string[];
  sensitivity?: Sensitivity;
  limit?: number;
  /** Replay: report what would have fired, when, and do not record the moments as seen. */
  backtest?: boolean;
  /**
   * Only moments that alerted within the window (from, asOf] — when they fired, or grew enough to alert
   * again: runs whose windows follow each other report each alert once.
   */
  alerts?: boolean;
  /** Only moments whose items involve a known account (momentscan accounts import). */
  accounts?: boolean;
  /** Threads the engine runs on (default: two when there is enough to do). */
  threads?: 1 | 2;
  /** Resume the engine from states saved by earlier runs, and save them (default true). */
  engineStates?: boolean;
  /**
   * The real clock, for the thresholds learnt from labels (labels given up to then count; default asOf).
   * With `sensitivity` given, labels are ignored.
   */
  now?: number;
  /** Told in one line of each topic whose stored matches were redone for this config (syncTopics). */
  warn?: (line: string) => void;
}

export interface Evaluation {
  /** The moments reported, cut to `limit`. */
  rows: MomentRow[];
  /** Every moment found, before `limit` cut them (a backtest's counts speak of them all). */
  found: MomentRow[];
  topics: number;
  from: number;
  asOf: number;
  /** Topics that cannot be judged yet at asOf: from when they will be (null: no items for them yet). */
  learning: { topic: string; until: number | null; firstItemAt?: number }[];
  /** Whether the database holds any item at all. */
  itemsStored: boolean;
  /** Topics whose engine resumed from a state an earlier run saved (instead of replaying from its start). */
  resumed: number;
  /** Each evaluated topic's threshold, and why. */
  thresholds: Map<string, Threshold>;
  /** The verdicts given on the evaluated topics' moments (for a backtest's replay of them). */
  labels: Label[];
  /** Ids of the moments this run recorded first (for Store.forgetMoments, when they could not be shown). */
  recorded: number[];
}

/** Per topic: bucket counts from SQL → detect (on two threads when there is enough to do) → explain (items from SQL) → rank → remember. */
export function evaluate(config: Config, store: Store, o: EvaluateOptions): Evaluation {
  const { topicIds } = syncTopics(config, store, o.warn);
  syncAccounts(store);
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
  const labels = store.feedback.labels(topics.map((t) => t.name));
  const thresholds = new Map(
    topics.map((t) => [
      t.name,
      o.sensitivity ? flagThreshold(o.sensitivity) : learnThreshold(sensitivity, labels.filter((l) => l.topic === t.name), o.now ?? o.asOf, config.defaults.timeZone),
    ]),
  );
  const baselineMs = config.defaults.baselineMs;
  // the team's days: buckets cut at its midnight, by its standard clock (detect.ts offsetMs)
  const offsetMs = standardOffset(config.defaults.timeZone, o.asOf);
  const learning: Evaluation['learning'] = [];
  // what is read from here on is what the engine states saved below are computed from (see saveEngineStates)
  const readAt = store.dataVersion();
  const tasks: (TopicTask & { topicId: number; key: string | null; resume: EngineSnapshot | null })[] = [];
  for (const topic of topics) {
    const topicId = topicIds.get(topic.name)!;
    const setting = topic.bucketMs ?? config.defaults.bucketMs;
    const bucketMs = setting === 'auto' ? autoBucket() : setting;
    // The engine runs from well before the window (engineStart), so a moment already going when the
    // window opens keeps its true onset and alert history (--alerts must not take it for new); moments
    // reported are those that reach into the window (in a backtest, those that fired in it).
    const historyStart = topicHistoryStart(store, topicId);
    const until = learningUntil(historyStart, bucketMs, offsetMs);
    if (until === null || until > o.asOf) {
      // (an evaluation time before the topic's first item: nothing stored by then, not "learning until" a later date)
      const first = until === null ? null : store.firstItemAt(topicId);
      learning.push({ topic: topic.name, until, ...(first !== null && first > o.asOf ? { firstItemAt: first } : {}) });
    }
    // a threshold moved by labels is the engine's alert level (part of the engine state's key, like the sensitivity)
    const options = withUnfetched(store, topicId, { asOf: o.asOf, from: o.from, bucketMs, baselineMs, sensitivity, historyStart, ...(offsetMs ? { offsetMs } : {}), ...engineTuning(thresholds.get(topic.name)!) });
    // The engine's state is saved before the window and resumed from by later runs with the same key;
    // only for buckets of whole quarters, whose counts the triggers that drop the states watch.
    const key = o.engineStates !== false && bucketMs % QUARTER_MS === 0 ? engineKey(options) : null;
    // A run saves the state before its window for the next run's window to start from. A backtest saves it
    // near its end instead, with the moments before it (detectResumable): its window is most of the history,
    // so a state before it would spare a backtest run again little of its replay.
    const shift = shiftOf(options);
    const fromBucket = bucketStart(o.from, bucketMs, shift);
    const saveBy = o.backtest ? bucketStart(o.asOf, bucketMs, shift) : fromBucket;
    // the latest state up to the bucket in progress; one inside the window that cannot stand for it, the latest before it
    let resume = key ? store.engineState(topicId, key, bucketStart(o.asOf, bucketMs, shift)) : null;
    if (resume && resume.at > fromBucket && !fits(options, resume)) resume = store.engineState(topicId, key!, fromBucket);
    tasks.push({ topic: topic.name, topicId, key, options, ...(key ? { saveBy } : {}), ...(resume ? { resumeAt: resume.at } : {}), resume });
  }
  const read = (i: number, resumable: boolean, shared = false): TopicInput => {
    const { topicId, options } = tasks[i]!;
    const resume = resumable ? tasks[i]!.resume : null;
    // resumed, the engine needs only the buckets from a little before the state
    const buckets = gridBucketCounts(store, topicId, resume ? resumeStart(options, resume) : engineStart(options), o.asOf + 1, options.bucketMs, shiftOf(options), shared);
    return { buckets, resume };
  };
  // A topic's moments are explained (their items read) as soon as its engine run is done, while the
  // other thread may still be judging topics; they are listed in topic order whatever the order of that.
  const explained: Moment[][] = new Array(tasks.length);
  const explain = (k: number, result: TopicResult) => {
    const topic = topics[k]!;
    const topicId = tasks[k]!.topicId;
    // an ongoing moment is in any window up to asOf (one shorter than a bucket too)
    const moments = result.moments.filter((m) => (o.backtest ? m.firedAt >= o.from : m.end > o.from || m.ongoing));
    const overflows = moments.length ? store.overflowPeriods(topicId, o.from - baselineMs, o.asOf + MAX_FETCH_LAG_MS) : [];
    explained[k] = moments.map((m) => {
      const items = store.itemsBetween(topicId, m.start, Math.min(m.end, o.asOf + 1), 2000);
      // a sample of the baseline is enough to tell which words are new
      const baseline = store.titlesBetween(topicId, m.start - baselineMs, m.start, 800);
      const accounts = store.topicAccounts(topicId, m.start, Math.min(m.end, o.asOf + 1));
      return { ...explainMoment(m, items, baseline, topic.keywords), caveats: undercountCaveats(m, baselineMs, overflows), accounts };
    });
  };
  const results = detectAll(tasks, read, { ...(o.threads ? { threads: o.threads } : {}), onResult: explain }).results;
  const states = tasks.flatMap((t, i) => {
    const s = results[i]!.snapshot;
    return s && t.key ? [{ topicId: t.topicId, key: t.key, at: s.at, state: s.state }] : [];
  });
  store.saveEngineStates(states, readAt);
  const found = explained.flat();
  const rankBy = { accountsWeight: config.rank.accountsWeight };
  const ranked = o.backtest
    ? rankMoments(found, undefined, rankBy).sort((a, b) => a.firedAt - b.firedAt).map((m, i) => ({ ...m, rank: i + 1 }))
    : rankMoments(found, undefined, rankBy);
  const events = ranked.length ? store.feedback.events({ topics: topics.map((t) => t.name) }) : [];
  const byMoment = new Map(labels.map((l) => [l.momentId, l]));
  const firstRecorded = new Set<MomentRow>();
  const rows: MomentRow[] = o.backtest
    ? (() => {
        const ids = store.feedback.momentIds(ranked.map((m) => ({ topicId: topicIds.get(m.topic)!, kind: m.kind, direction: m.direction, start: m.start })));
        return ranked.map((m, i) => ({ ...m, firstSeenAt: m.firedAt, ...notesFor(m, ids[i]!, events, byMoment) }));
      })()
    : (() => {
        const saved = store.saveMoments(ranked.map((m) => ({ topicId: topicIds.get(m.topic)!, moment: m })), o.asOf);
        return ranked.map((m, i) => {
          const row = { ...m, firstSeenAt: saved[i]!.firstSeenAt, ...notesFor(m, saved[i]!.id, events, byMoment) };
          if (saved[i]!.isNew) firstRecorded.add(row);
          return row;
        });
      })();
  const itemsStored = store.hasItems();
  // (every moment is recorded as seen above; --accounts only narrows what is reported)
  const involved = o.accounts ? rows.filter((m) => (m.accounts?.length ?? 0) > 0) : rows;
  // An onset dated before the window that no earlier run had seen came late (its items arrived after its
  // bucket was judged: a feed that lags, a run missed): this run, the first to see it, reports it — once, as the
  // store records it now. (A read-only store records nothing, so it would say so every run: not there.)
  const late = (m: MomentRow) => !store.readonly && firstRecorded.has(m) && m.alerts === 1 && m.alertedAt <= o.from && m.alertedAt > o.from - MAX_FETCH_LAG_MS;
  const alerted = o.alerts ? involved.filter((m) => (m.alertedAt > o.from && m.alertedAt <= o.asOf) || late(m)) : involved;
  return {
    rows: o.limit === undefined ? alerted : alerted.slice(0, o.limit),
    found: alerted,
    topics: topics.length,
    from: o.from,
    asOf: o.asOf,
    learning,
    itemsStored,
    resumed: results.filter((r) => r.resumed).length,
    thresholds,
    labels,
    recorded: [...firstRecorded].flatMap((m) => (m.id === null ? [] : [m.id])),
  };
}
