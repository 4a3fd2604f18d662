import { UsageError } from '../core/errors.js';
import { MAX_LISTED_BUCKETS } from '../core/limits.js';
import { formatDuration, parseDurationMs, standardOffset, zonedDayStart } from '../core/time.js';
import { autoBucket, engineStart, scoreBuckets, shiftOf } from '../detect/detect.js';
import { learningUntil } from '../detect/readiness.js';
import { render } from '../render/index.js';
import { timelineListing, type TimelineRow } from '../render/timeline.js';
import { openStore } from '../store/store.js';
import { checkWindow, chooseFormat, configFor, type GlobalOptions, log, noteBigTable, type OutputOptions, processEnv, renderContext, writeOut } from './context.js';
import { syncTopics } from '../enrich/sync-topics.js';
import { engineTuning, learnThreshold } from '../moments/thresholds.js';
import { gridBucketCounts, topicHistoryStart, withUnfetched } from '../moments/coverage.js';
import { onCalendarDays } from '../moments/calendar-days.js';
import { QUARTER_MS } from '../store/db.js';
import { asOfFlag, sensitivityFlag, sinceFlag, topicFlag } from './flags.js';

const DAY_MS = 86_400_000;

export interface TimelineOptions extends OutputOptions {
  topic: string;
  since?: string;
  asOf?: string;
  bucket?: string;
  sensitivity?: string;
}

/** `momentscan timeline TOPIC`: the topic's buckets — stories, expected, tone, and where moments are. */
export async function run(g: GlobalOptions, o: TimelineOptions): Promise<number> {
  const env = processEnv();
  const format = chooseFormat(o);
  const { config, dbPath } = configFor(g, env);
  const name = topicFlag(config, o.topic, { flag: 'timeline' });
  const topic = config.topics.find((t) => t.name === name)!;
  const asOf = asOfFlag(o.asOf, env.now(), config.defaults.timeZone);
  const since = o.since ?? '7d';
  const from = sinceFlag(since, asOf, config.defaults.timeZone);
  const flag = sensitivityFlag(o.sensitivity);
  const sensitivity = flag ?? config.defaults.sensitivity;
  const store = await openStore(dbPath, { readonlyIfDenied: true });
  let rows: TimelineRow[];
  let bucketMs: number;
  let firstItemAt: number | null;
  try {
    const { topicIds } = syncTopics(config, store, (line) => log(`momentscan: warning: ${line}`));
    const id = topicIds.get(topic.name)!;
    const baselineMs = config.defaults.baselineMs;
    const setting = o.bucket ?? topic.bucketMs ?? config.defaults.bucketMs;
    if (setting === 'auto') bucketMs = autoBucket();
    else if (typeof setting === 'number') bucketMs = setting;
    else {
      const ms = parseDurationMs(setting);
      if (ms === null || ms < 60_000) throw new UsageError(`--bucket: expected auto or a duration such as 1h or 6h, got "${setting}"`);
      // as the config asks of defaults.bucket: the baseline must hold 4 buckets (a 99999d bucket drew one bar)
      if (4 * ms > baselineMs) {
        throw new UsageError(`--bucket ${setting}: must be at most a quarter of the baseline (defaults.baseline is ${formatDuration(baselineMs)})`, { hint: `give a bucket of at most ${formatDuration(Math.floor(baselineMs / 4))}` });
      }
      bucketMs = ms;
    }
    checkWindow(config, {
      since,
      from,
      asOf,
      ...(o.asOf !== undefined ? { asOfText: o.asOf } : {}),
      ...(o.bucket !== undefined ? { bucket: { bucketMs, source: `--bucket ${o.bucket}` } } : { topics: [topic.name] }),
      maxListed: MAX_LISTED_BUCKETS,
    });
    // the topic's threshold as moments uses it: learnt from labels, unless --sensitivity says otherwise
    const threshold = flag ? null : learnThreshold(sensitivity, store.feedback.labels([topic.name]), env.now(), config.defaults.timeZone);
    firstItemAt = store.firstItemAt(id);
    // in a team's zone the buckets are cut at its midnight by its standard clock, as moments cuts them
    const tz = config.defaults.timeZone;
    const offsetMs = standardOffset(tz, asOf);
    const detectOptions = withUnfetched(store, id, { asOf, from, bucketMs, baselineMs, sensitivity, historyStart: topicHistoryStart(store, id), ...(offsetMs ? { offsetMs } : {}), ...engineTuning(threshold) });
    const buckets = gridBucketCounts(store, id, engineStart(detectOptions), asOf + 1, bucketMs, shiftOf(detectOptions));
    // a bucket still going at asOf is not judged yet: learning only if it would not be once over
    const until = learningUntil(detectOptions.historyStart, bucketMs, offsetMs);
    const scored = scoreBuckets(buckets, detectOptions).map((r) => ({
      ...r,
      topic: topic.name,
      bucketMs,
      learning: !r.judged && !r.unfetched && (r.start + bucketMs <= asOf || until === null || r.start + bucketMs <= until),
    }));
    // days in a zone are the team's calendar days, midnight to midnight (23 or 25 hours when the clocks change),
    // each with its own stories and the engine's verdict on its day
    rows =
      tz !== 'UTC' && bucketMs === DAY_MS && scored.length > 0
        ? onCalendarDays(scored, store.packedBucketCounts(id, Math.min(scored[0]!.start, zonedDayStart(scored[0]!.start, tz)), asOf + 1, QUARTER_MS), tz).filter((r) => r.start + r.bucketMs > from)
        : scored;
  } finally {
    store.close();
  }
  noteBigTable(format, rows.length, g.quiet);
  await writeOut(render(format, timelineListing(rows, { topic: topic.name, bucketMs, from, to: asOf, firstItemAt }), await renderContext(g, o, env, asOf, format, config.defaults.timeZone)));
  return 0;
}
