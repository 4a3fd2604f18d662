import type { Sensitivity } from '../config/schema.js';
import type { Bucket, Moment, MomentDirection, MomentKind } from '../core/types.js';
import { ENGINE_GRID_MS, engineHistoryMs, MAX_BUCKETS } from '../core/limits.js';
import { bucketStart } from '../core/time.js';
import type { Alert } from './alerts.js';
import { SeriesDetector, type SeriesScore, type Tuning } from './series.js';

/**
 * Moments of a topic: the one engine (series.ts) run on the topic's stories per bucket, oldest first,
 * then its alert episodes turned into moments. Pure: the clock (`asOf`) is a parameter.
 *
 * - Only complete buckets are judged (a bucket is judged once it has ended, at or before `asOf`), so a
 *   run at any later time says exactly what a run then said: when a moment fired does not move, and a
 *   cron job every 15 minutes hears of a burst once (plus its growth).
 * - The engine starts from the topic's first item, or at most eight weeks (or the baseline) before the
 *   reporting window, rounded down to a 4-week grid, so that runs start from the same state (and agree
 *   on every alert) for a topic younger than that, and within each 4-week step for older ones.
 * - Volume: an up-episode of the engine is a `volume-spike`; its score is the peak surprise.
 * - Tone: an episode of the engine's tone channel is a `sentiment-shift`, unless it happens within a
 *   volume spike of the same topic (the spike carries the tone: sentimentNow vs sentimentBaseline).
 */

export interface DetectOptions {
  /** Evaluation time: later data is ignored; only buckets that ended by then are judged. */
  asOf: number;
  /** Report moments in buckets from this time on (the --since window). */
  from: number;
  bucketMs: number;
  baselineMs: number;
  sensitivity: Sensitivity;
  /** When the topic's history starts (first item); earlier buckets are not counted as zeros. */
  historyStart: number | null;
  /** The engine's internal knobs, for evaluation only. */
  tuning?: Partial<Tuning>;
}

export interface BucketScore {
  start: number;
  count: number;
  /** Items, every copy of a story included. */
  items: number;
  /** Items with a sentiment score. */
  scored: number;
  expected: number;
  /** Surprise of the volume (−log10 p, calibrated; 0 while learning). */
  volumeScore: number;
  /** The bucket belongs to a volume spike. */
  volumeFlag: boolean;
  volumeAlert: Alert;
  sentimentMean: number | null;
  baselineSentiment: number | null;
  sentimentScore: number;
  /** The bucket belongs to a tone shift, and which way. */
  sentimentFlag: MomentDirection | null;
  sentimentAlert: Alert;
  /** Scored items in the window that carries the tone shift. */
  sentimentWindowItems: number;
  /** False while the engine is learning, and for a bucket that has not ended by asOf. */
  judged: boolean;
}

/** Evidence windows of the topic engine, in buckets: a bucket and 4 of them, then 16 and 64 while within 16 hours. */
const topicScales = (bucketMs: number) => [1, 4, 16, 64].filter((w, i) => i < 2 || w * bucketMs <= 16 * 3_600_000);

/** Where the engine starts for an evaluation: what callers read buckets from. */
export function engineStart(o: Pick<DetectOptions, 'from' | 'bucketMs' | 'baselineMs' | 'historyStart'>): number {
  // engineHistoryMs bounds this: the baseline (at least eight weeks), and up to a grid step of rounding
  const history = engineHistoryMs(o.baselineMs) - ENGINE_GRID_MS;
  const anchored = Math.floor((o.from - history) / ENGINE_GRID_MS) * ENGINE_GRID_MS;
  const first = o.historyStart === null ? anchored : Math.max(anchored, o.historyStart);
  return bucketStart(first, o.bucketMs);
}

/** Scores every complete bucket from `from` to `asOf` (and the one in progress, unjudged). */
export function scoreBuckets(buckets: Bucket[], o: DetectOptions): BucketScore[] {
  return run(buckets, o).rows.filter((r) => r.start >= bucketStart(o.from, o.bucketMs));
}

function run(buckets: Bucket[], o: DetectOptions): { rows: BucketScore[] } {
  const first = engineStart(o);
  const open = bucketStart(o.asOf, o.bucketMs);
  // buckets that ended by asOf are judged; the one in progress is shown, not judged
  const n = Math.max(0, (open - first) / o.bucketMs);
  // the bucket in progress is shown once it has begun (not when asOf is exactly its start)
  const showOpen = o.asOf > open;
  const rows: BucketScore[] = [];
  if (o.historyStart === null || open < first) return { rows };
  // commands check requests against MAX_BUCKETS first (checkWindow), with a message that says what to do
  if (n > MAX_BUCKETS) throw new RangeError(`${n} buckets to evaluate`);
  const byStart = new Map<number, Bucket>();
  for (const b of buckets) if (b.start >= first && b.start <= open) byStart.set(b.start, b);
  const engine = new SeriesDetector({
    resolutionMs: o.bucketMs,
    sensitivity: o.sensitivity,
    baselineMs: o.baselineMs,
    tuning: { scales: topicScales(o.bucketMs), ...o.tuning },
  });
  for (let i = 0; i <= n; i++) {
    const start = first + i * o.bucketMs;
    const b = byStart.get(start);
    const count = b?.count ?? 0;
    const scored = b?.scored ?? 0;
    const row: BucketScore = {
      start,
      count,
      items: b?.items ?? count,
      scored,
      expected: 0,
      volumeScore: 0,
      volumeFlag: false,
      volumeAlert: null,
      sentimentMean: scored > 0 ? b!.sentimentSum / scored : null,
      baselineSentiment: null,
      sentimentScore: 0,
      sentimentFlag: null,
      sentimentAlert: null,
      sentimentWindowItems: 0,
      judged: false,
    };
    if (i === n) {
      if (showOpen) rows.push(row); // in progress: shown, not judged
      break;
    }
    rows.push(row);
    const s: SeriesScore = engine.push({
      t: start,
      value: count,
      sentiment: scored > 0 ? b!.sentimentSum / scored : null,
      n: scored,
      sentimentSq: b?.sentimentSumSq ?? 0,
    });
    row.judged = !s.learning;
    row.expected = s.expected ?? 0;
    row.volumeScore = s.score;
    row.volumeFlag = s.episode === 'up';
    row.volumeAlert = s.episode === 'up' ? s.alert : null;
    const t = s.tone;
    if (t) {
      row.baselineSentiment = t.baseline;
      row.sentimentScore = t.surprise;
      row.sentimentWindowItems = t.items;
      const dir: MomentDirection | null = t.direction > 0 ? 'positive' : t.direction < 0 ? 'negative' : null;
      row.sentimentAlert = t.alert;
      if (t.active) row.sentimentFlag = dir ?? rows[rows.length - 2]?.sentimentFlag ?? null;
    }
  }
  return { rows };
}

/**
 * Detects a topic's moments that reach into [from, asOf]. Explanations (sources, terms, examples) are
 * added by explain().
 */
export function detectMoments(topic: string, buckets: Bucket[], o: DetectOptions): Moment[] {
  const { rows } = run(buckets, o);
  const spikes = episodes(rows, (r) => (r.volumeFlag ? 'up' : null), (r) => r.volumeAlert).map((g) => buildMoment(topic, 'volume-spike', g, rows, o));
  const shifts = episodes(rows, (r) => r.sentimentFlag, (r) => r.sentimentAlert)
    .map((g) => buildMoment(topic, 'sentiment-shift', { ...g, first: swingStart(rows, g) }, rows, o))
    .filter((m) => !spikes.some((s) => s.start <= m.start && m.end <= s.end));
  const fromBucket = bucketStart(o.from, o.bucketMs);
  return [...spikes, ...shifts].filter((m) => m.end > fromBucket);
}

/** A swing began where the buckets before its alert started leaning its way (within the day before it). */
function swingStart(rows: BucketScore[], g: Group): number {
  const base = rows[g.first]!.baselineSentiment ?? 0;
  const sign = g.direction === 'negative' ? -1 : 1;
  let first = g.first;
  for (let k = g.first - 1; k >= 0 && rows[g.first]!.start - rows[k]!.start < 86_400_000; k--) {
    const m = rows[k]!.sentimentMean;
    if (m === null || sign * (m - base) < MIN_LEAN) break;
    first = k;
  }
  return first;
}
const MIN_LEAN = 0.15;

interface Group {
  first: number;
  last: number;
  direction: MomentDirection;
  /** Rows that alerted: the onset, then growth. */
  alerts: number[];
}

/** Runs of rows in one episode (from its onset to its last active row), with their alerts. */
function episodes(rows: BucketScore[], flag: (r: BucketScore) => MomentDirection | null, alert: (r: BucketScore) => Alert): Group[] {
  const out: Group[] = [];
  let current: Group | null = null;
  rows.forEach((r, i) => {
    const a = alert(r);
    const d = flag(r);
    if (a === 'onset' && d) {
      current = { first: i, last: i, direction: d, alerts: [i] };
      out.push(current);
      return;
    }
    // an episode's rows keep its direction; it may cool down and flare up again without a new onset
    if (current && d === current.direction) {
      current.last = i;
      if (a === 'growth') current.alerts.push(i);
    }
  });
  return out;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
/** A moment's sparkline: this many buckets before it, at most this many in all. */
const SERIES_LEAD = 4;
const SERIES_MAX = 16;

function buildMoment(topic: string, kind: MomentKind, g: Group, rows: BucketScore[], o: DetectOptions): Moment {
  const volume = kind === 'volume-spike';
  const score = (r: BucketScore) => (volume ? r.volumeScore : r.sentimentScore);
  let peak = g.first;
  let totalStories = 0;
  let totalItems = 0;
  let expectedTotal = 0;
  let sentimentSum = 0;
  let sentimentItems = 0;
  // the peak is the bucket with the most stories (the strongest lean, for tone); the score the highest surprise
  const strength = (r: BucketScore) => (volume ? r.count : Math.abs((r.sentimentMean ?? 0) - (rows[g.first]!.baselineSentiment ?? 0)));
  let top = 0;
  for (let i = g.first; i <= g.last; i++) {
    const r = rows[i]!;
    if (strength(r) > strength(rows[peak]!)) peak = i;
    top = Math.max(top, score(r));
    totalStories += r.count;
    totalItems += r.items;
    expectedTotal += r.expected;
    if (r.sentimentMean !== null) {
      sentimentSum += r.sentimentMean * r.scored;
      sentimentItems += r.scored;
    }
  }
  const p = rows[peak]!;
  const base = rows[g.first]!;
  // the last judged bucket stands for "now"
  let live = rows.length - 1;
  while (live > 0 && !rows[live]!.judged) live--;
  const ongoing = g.last >= live - 1;
  const latest = rows[g.last]!;
  const before = g.last > g.first ? rows[g.last - 1]! : null;
  const growth = before && strength(before) > 0 ? round(strength(latest) / strength(before)) : null;
  const stage = !ongoing ? 'fading' : g.first === g.last ? 'new' : strength(latest) >= strength(p) ? 'rising' : 'peaked';
  const endOf = (i: number) => rows[i]!.start + o.bucketMs;
  const s = top;
  return {
    topic,
    kind,
    direction: g.direction,
    score: round(s),
    pValue: Number(Math.pow(10, -s).toPrecision(3)),
    start: base.start,
    peak: p.start,
    end: endOf(g.last),
    bucketMs: o.bucketMs,
    ongoing,
    stage,
    firedAt: endOf(g.alerts[0]!),
    alerts: g.alerts.length,
    alertedAt: endOf(g.alerts[g.alerts.length - 1]!),
    storySeries: rows.slice(Math.max(0, g.first - SERIES_LEAD), g.last + 1).slice(-SERIES_MAX).map((r) => r.count),
    hoursSinceOnset: round(Math.max(0, o.asOf - base.start) / 3_600_000, 1),
    growth,
    observed: p.count,
    expected: round(p.expected),
    totalStories,
    expectedTotal: round(expectedTotal),
    totalItems,
    sentimentNow: sentimentItems ? round(sentimentSum / sentimentItems, 3) : null,
    sentimentBaseline: base.baselineSentiment === null ? null : round(base.baselineSentiment, 3),
    sentimentItems,
    distinctSources: 0,
    topSources: [],
    sourceTypes: [],
    topTerms: [],
    examples: [],
    caveats: [],
  };
}

/**
 * The bucket `auto` chooses: 15 minutes for every topic. The engine accumulates evidence over 1, 4, 16
 * and 64 buckets (15 minutes to 16 hours), so a quiet topic's slow build-up is seen as well as a busy
 * topic's burst, which is judged a quarter of an hour after it shows.
 */
export function autoBucket(): number {
  return AUTO_BUCKET_MS;
}
export const AUTO_BUCKET_MS = 15 * 60_000;
