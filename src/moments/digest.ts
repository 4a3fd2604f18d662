import type { Config, Sensitivity } from '../config/schema.js';
import { notesFor } from './notes.js';
import { UsageError } from '../core/errors.js';
import { bucketStart, fmtIn } from '../core/time.js';
import type { Moment } from '../core/types.js';
import type { Store } from '../store/store.js';
import { evaluate } from './evaluate.js';
import { gridBuckets, notFetchedSince } from './coverage.js';
import type { DigestBucket, DigestModel, DigestMoment } from './types.js';

/**
 * The digest model: a period evaluated and what was found sorted into new, ongoing and faded moments,
 * each with its chart. Rendered by render/digest-*.ts, sent by notify/sinks/email.ts.
 */

const DAY = 86_400_000;
/** Buckets shown before a moment in its chart, and the most bars a chart has. */
const CHART_LEAD = 8;
const CHART_MAX_BARS = 28;
/** Buckets shown after a moment that has ended. */
const CHART_TRAIL = 4;

/**
 * `--since last`: where the previous digest ended (sent ones only, when sending), or a day before `asOf`
 * when there was none. A usage error when that digest already reaches `asOf`.
 */
export function lastDigestEnd(store: Store, asOf: number, sentOnly: boolean, tz = 'UTC'): number {
  const last = store.lastDigestEnd(sentOnly);
  if (last !== null && last >= asOf) {
    throw new UsageError(`--since last: the previous digest already covers up to ${fmtIn(last, tz)}`, {
      hint: 'there is nothing new to report yet; give --since 24h to report the last day again',
    });
  }
  return last ?? asOf - DAY;
}

/** Evaluates the period and sorts what was found into new, ongoing and faded. */
export function buildDigestModel(
  config: Config,
  store: Store,
  o: { periodStart: number; asOf: number; now: number; topics?: string[]; sensitivity?: Sensitivity; warn?: (line: string) => void },
): DigestModel {
  const { periodStart, asOf } = o;
  // what earlier runs reported (read before this evaluation stores its own), as far as it was known at asOf:
  // a run with a later --as-of may have stored moments that start after it, or updated one since
  const before = store.momentsSeenSince(periodStart - config.defaults.baselineMs, asOf).map((p) => knownAt(p, asOf));
  const result = evaluate(config, store, {
    asOf,
    from: periodStart,
    ...(o.topics ? { topics: o.topics } : {}),
    ...(o.sensitivity ? { sensitivity: o.sensitivity } : {}),
    now: o.now,
    ...(o.warn ? { warn: o.warn } : {}),
  });
  const wanted = o.topics?.length ? new Set(o.topics.map((t) => t.toLowerCase())) : null;
  const topics = config.topics.map((t) => t.name).filter((n) => !wanted || wanted.has(n.toLowerCase()));
  const topicSet = new Set(topics);
  const ids = new Map([...store.topicNames()].map(([id, name]) => [name, id]));

  const same = (a: Moment, b: Moment) => a.topic === b.topic && a.kind === b.kind && a.direction === b.direction;
  // An earlier sighting of the same moment: same topic and kind, overlapping or touching in time (a moment
  // that began before the period is reported from the period's first bucket, so its start can differ).
  const isEarlierSighting = (p: Moment, m: Moment) => same(p, m) && p.start <= m.end && p.end >= m.start;
  const matched = new Set<number>();
  const fresh: DigestMoment[] = [];
  const ongoing: DigestMoment[] = [];
  const faded: DigestMoment[] = [];
  for (const r of result.rows) {
    let firstSeenAt = r.firstSeenAt;
    before.forEach((p, i) => {
      if (isEarlierSighting({ ...p.moment, topic: p.topic }, r)) {
        matched.add(i);
        firstSeenAt = Math.min(firstSeenAt, p.firstSeenAt);
      }
    });
    const dm: DigestMoment = { ...r, firstSeenAt, ...seriesFor(store, ids.get(r.topic), r, asOf) };
    // periods are (start, end]: a moment first seen at the start was in the digest that ended there
    if (firstSeenAt > periodStart) fresh.push(dm);
    else if (r.ongoing) ongoing.push(dm);
    else faded.push(dm);
  }
  const events = store.feedback.events({ topics });
  const labels = new Map(store.feedback.labels(topics).map((l) => [l.momentId, l]));
  before.forEach((p, i) => {
    if (matched.has(i) || !topicSet.has(p.topic) || p.lastSeenAt < periodStart) return;
    const m: Moment = { ...p.moment, topic: p.topic };
    // still going when last seen, or ended within the period
    if (!m.ongoing && m.end < periodStart) return;
    if (faded.some((f) => same(f, m) && f.start === m.start)) return;
    const over = { ...m, ongoing: false };
    faded.push({ ...over, firstSeenAt: p.firstSeenAt, ...seriesFor(store, ids.get(p.topic), over, asOf), ...notesFor(over, p.id, events, labels) });
  });
  faded.sort((a, b) => b.score - a.score || b.end - a.end || a.topic.localeCompare(b.topic));
  const stale = notFetchedSince(config, store, asOf);
  return { periodStart, periodEnd: asOf, topics, new: fresh, ongoing, faded, generatedAt: o.now, timeZone: config.defaults.timeZone, itemsStored: result.itemsStored, learning: result.learning, ...(stale === null ? {} : { notFetchedSince: stale }) };
}

/**
 * A stored moment as it stood at `asOf`, when its record was updated by a run with a later evaluation time:
 * its times are cut at `asOf` (the alerts after it dropped) and so are its examples. Counts and scores stay
 * as stored: the store keeps only the latest sighting.
 */
export function knownAt<P extends { firstSeenAt: number; lastSeenAt: number; moment: Moment }>(p: P, asOf: number): P {
  const m = p.moment;
  if (p.lastSeenAt <= asOf) return p;
  const end = Math.max(m.start, Math.min(m.end, asOf));
  const laterAlert = m.alertedAt > asOf;
  return {
    ...p,
    lastSeenAt: asOf,
    moment: {
      ...m,
      end,
      peak: Math.max(m.start, Math.min(m.peak, bucketStart(asOf, m.bucketMs, gridOf(m)))),
      firedAt: Math.min(m.firedAt, asOf),
      alerts: laterAlert ? 1 : m.alerts,
      alertedAt: laterAlert ? Math.min(m.firedAt, asOf) : m.alertedAt,
      examples: m.examples.filter((e) => e.publishedAt <= asOf),
    },
  };
}

/** Where the moment's bucket grid is cut: its start is a bucket's (a team's midnight in its zone; 0 in UTC). */
function gridOf(m: Moment): number {
  return m.bucketMs > 0 ? ((m.start % m.bucketMs) + m.bucketMs) % m.bucketMs : 0;
}

/**
 * The moment's buckets, up to 8 before it and 4 after it, empty buckets included, in at most 28 bars: a
 * moment longer than that (15-minute buckets: over 4 hours) has several buckets to a bar (`barMs`), so that
 * its onset and peak stay in view rather than being cut off the chart's start. (Also the chart of notify's
 * email: notify/run.ts.)
 */
export function seriesFor(store: Store, topicId: number | undefined, m: Moment, asOf: number): { series: DigestBucket[]; seriesBucketMs?: number } {
  if (topicId === undefined || !(m.bucketMs > 0)) return { series: [] };
  const b = m.bucketMs;
  const shift = gridOf(m);
  // an ongoing moment's chart runs to now; a finished one's shows a few buckets after it, how it came down
  const now = bucketStart(asOf, b, shift) + b;
  const end = m.ongoing ? now : Math.min(m.end + CHART_TRAIL * b, now);
  const start = m.start - CHART_LEAD * b;
  if (end <= start) return { series: [] };
  // bars of k buckets, aligned to k buckets from the epoch as buckets are to one
  let k = 1;
  let from = start;
  let to = end;
  while ((to - from) / (k * b) > CHART_MAX_BARS) {
    k++;
    from = bucketStart(start, k * b, shift);
    to = bucketStart(end - 1, k * b, shift) + k * b;
  }
  const bar = k * b;
  const counts = gridBuckets(store, topicId, from, Math.min(to, asOf + 1), b, shift);
  const out: DigestBucket[] = [];
  for (let t = from; t < to; t += bar) {
    out.push({ start: t, count: 0, tone: null, inMoment: t < m.end && t + bar > m.start });
  }
  const sums = out.map(() => ({ sentiment: 0, scored: 0 }));
  for (const c of counts) {
    const i = Math.floor((c.start - from) / bar);
    if (i < 0 || i >= out.length) continue;
    out[i]!.count += c.count;
    sums[i]!.sentiment += c.sentimentSum;
    sums[i]!.scored += c.scored;
  }
  out.forEach((o, i) => (o.tone = sums[i]!.scored > 0 ? Math.round((sums[i]!.sentiment / sums[i]!.scored) * 100) / 100 : null));
  return k === 1 ? { series: out } : { series: out, seriesBucketMs: bar };
}
