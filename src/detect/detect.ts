import type { Sensitivity } from '../config/schema.js';
import type { Bucket, Moment, MomentDirection, MomentKind } from '../core/types.js';
import { bucketStart } from '../core/time.js';
import { logNegBinomialUpperTail, logNormalUpperTail, surprise } from './stats.js';

/**
 * Moment detection: pure. Each bucket of a topic's series is compared with a trailing baseline that
 * excludes it (and excludes buckets already flagged, so a long burst does not become its own baseline):
 *
 * - volume: the count is tested against a negative-binomial predictive distribution (a Gamma-Poisson
 *   posterior on the baseline rate, widened by the baseline's own overdispersion), so a quiet topic's
 *   single item is not a surprise and busy, bursty topics need a proportionally bigger burst;
 * - sentiment: the bucket's mean sentiment (shrunk towards the baseline for small counts) against the
 *   baseline mean, scaled by the standard error for that many items.
 *
 * Scores are -log10 of the tail probability, so they compare across topics and kinds. Flagged buckets
 * of one kind (and direction) are merged into moments, allowing a one-bucket gap.
 */

export interface DetectOptions {
  /** Evaluation time: later data is ignored; the bucket containing it is partial and judged pro rata. */
  asOf: number;
  /** Report moments in buckets from this time on (the --since window). */
  from: number;
  bucketMs: number;
  baselineMs: number;
  sensitivity: Sensitivity;
  /** When the topic's history starts (first item); earlier buckets are not counted as zeros. */
  historyStart: number | null;
}

export interface Thresholds {
  volumeScore: number;
  minCount: number;
  minRatio: number;
  sentimentScore: number;
  minSentimentDelta: number;
  minSentimentItems: number;
}

export const THRESHOLDS: Record<Sensitivity, Thresholds> = {
  low: { volumeScore: 6, minCount: 5, minRatio: 3, sentimentScore: 4, minSentimentDelta: 0.3, minSentimentItems: 5 },
  medium: { volumeScore: 4, minCount: 3, minRatio: 2, sentimentScore: 3, minSentimentDelta: 0.2, minSentimentItems: 3 },
  high: { volumeScore: 3, minCount: 2, minRatio: 1.5, sentimentScore: 2.5, minSentimentDelta: 0.15, minSentimentItems: 2 },
};

/** Gamma prior on the rate per bucket: shape and rate (weak: worth one bucket, mean 0.5 items). */
const PRIOR_SHAPE = 0.5;
const PRIOR_RATE = 1;
/** Pseudo-items pulling a small bucket's mean sentiment towards the baseline. */
const SENTIMENT_SHRINK = 1;
/** Floor on the per-item sentiment variance, so a baseline of identical scores does not explode z. */
const SENTIMENT_VAR_FLOOR = 0.04;
const MIN_BASELINE_ITEMS_FOR_SENTIMENT = 8;
/**
 * Tone is judged over the last day of buckets, not one bucket: a swing carried by a few items per bucket
 * accumulates evidence, while a bucket is flagged only if its own items lean the same way.
 */
const SENTIMENT_WINDOW_MS = 24 * 3_600_000;

export interface BucketScore {
  start: number;
  count: number;
  /** Items, every copy of a story included. */
  items: number;
  /** Items with a sentiment score. */
  scored: number;
  expected: number;
  volumeScore: number;
  volumeLogP: number;
  volumeFlag: boolean;
  sentimentMean: number | null;
  baselineSentiment: number | null;
  sentimentScore: number;
  sentimentLogP: number;
  sentimentFlag: MomentDirection | null;
  /** The baseline behind the scores: NB size of the count distribution, scored items, their variance. */
  size: number;
  baselineScored: number;
  baselineVariance: number;
  /** False while the topic has too little history to judge this bucket. */
  judged: boolean;
}

/** Scores every bucket from `from` to `asOf`. Exposed for timelines and tests; detectMoments builds on it. */
export function scoreBuckets(buckets: Bucket[], o: DetectOptions): BucketScore[] {
  const B = Math.max(1, Math.round(o.baselineMs / o.bucketMs));
  const first = bucketStart(o.from, o.bucketMs) - B * o.bucketMs;
  const last = bucketStart(o.asOf, o.bucketMs);
  if (last < first) return [];
  const n = (last - first) / o.bucketMs + 1;
  const count = new Float64Array(n);
  const itemCount = new Float64Array(n);
  const scored = new Float64Array(n);
  const sSum = new Float64Array(n);
  const sSq = new Float64Array(n);
  for (const b of buckets) {
    const i = Math.round((b.start - first) / o.bucketMs);
    if (i < 0 || i >= n) continue;
    count[i] = b.count;
    itemCount[i] = b.items ?? b.count;
    scored[i] = b.scored;
    sSum[i] = b.sentimentSum;
    sSq[i] = b.sentimentSumSq;
  }
  const historyIdx = o.historyStart === null ? n : Math.max(0, Math.floor((bucketStart(o.historyStart, o.bucketMs) - first) / o.bucketMs));
  const minBaseline = Math.max(4, Math.ceil(B / 4));
  const W = Math.max(1, Math.min(Math.round(SENTIMENT_WINDOW_MS / o.bucketMs), Math.floor(B / 4)));
  const th = THRESHOLDS[o.sensitivity];
  const volumeFlagged = new Uint8Array(n);
  const sentimentFlagged = new Uint8Array(n);
  const out: BucketScore[] = [];
  // Prefix sums make every window O(1), so detection is linear in buckets:
  // volume over buckets not flagged, of counts winsorised when they entered the history (robust to
  // earlier bursts); tone over scored stories, all of them (the window) and those not flagged (the baseline).
  const vN = new Float64Array(n + 1);
  const vS = new Float64Array(n + 1);
  const vQ = new Float64Array(n + 1);
  const tN = new Float64Array(n + 1);
  const tS = new Float64Array(n + 1);
  const bN = new Float64Array(n + 1);
  const bS = new Float64Array(n + 1);
  const bQ = new Float64Array(n + 1);
  const range = (p: Float64Array, a: number, b: number) => (b > a ? p[b]! - p[a]! : 0);
  const season = new Seasonality(first, o.bucketMs, n);
  /** Buckets [0, windowFrom) have left the seasonal profile's window. */
  let windowFrom = 0;

  for (let i = 0; i < n; i++) {
    const lo = Math.max(i - B, historyIdx);
    const inWindow = range(vN, lo, i);
    const wSum = range(vS, lo, i);
    const wSq = range(vQ, lo, i);
    if (i < B) {
      append(i, inWindow, wSum, wSq);
      continue;
    }
    const start = first + i * o.bucketMs;
    const elapsed = i === n - 1 ? Math.min(1, Math.max(0, (o.asOf - start) / o.bucketMs)) : 1;
    // tone: the last W buckets against the baseline before them
    const wStart = Math.max(i - W + 1, historyIdx);
    // (bucket i itself is added to the prefix sums only at the end of its turn)
    const nW = range(tN, wStart, i) + scored[i]!;
    const sumW = range(tS, wStart, i) + sSum[i]!;
    const bLo = Math.max(wStart - B, historyIdx);
    const nB = range(bN, bLo, wStart);
    const sumB = range(bS, bLo, wStart);
    const sqB = range(bQ, bLo, wStart);
    for (; windowFrom < lo; windowFrom++) season.remove(windowFrom);
    const judged = i - lo >= minBaseline && inWindow >= minBaseline / 2;
    const k = count[i]!;
    const row: BucketScore = {
      start,
      count: k,
      items: itemCount[i]!,
      scored: scored[i]!,
      expected: 0,
      volumeScore: 0,
      volumeLogP: 0,
      volumeFlag: false,
      sentimentMean: scored[i]! > 0 ? sSum[i]! / scored[i]! : null,
      baselineSentiment: nB > 0 ? sumB / nB : null,
      sentimentScore: 0,
      sentimentLogP: 0,
      sentimentFlag: null,
      size: Infinity,
      baselineScored: nB,
      baselineVariance: SENTIMENT_VAR_FLOOR,
      judged,
    };
    out.push(row);
    if (!judged) {
      append(i, inWindow, wSum, wSq);
      continue;
    }

    // --- volume ---
    const { factor, explainedVar } = season.at(i, inWindow, wSum);
    const { mean, size } = baselineRate(inWindow, wSum, wSq, explainedVar);
    const expected = mean * factor * elapsed;
    row.expected = expected;
    row.size = size * elapsed;
    const logP = logNegBinomialUpperTail(k, expected, size);
    row.volumeLogP = logP;
    row.volumeScore = surprise(logP);
    if (row.volumeScore >= th.volumeScore && k >= th.minCount && k >= th.minRatio * expected) {
      row.volumeFlag = true;
      volumeFlagged[i] = 1;
    }

    // --- sentiment ---
    const nNow = scored[i]!;
    if (nB >= MIN_BASELINE_ITEMS_FOR_SENTIMENT && nNow > 0) {
      const mB = sumB / nB;
      const varB = Math.max(sqB / nB - mB * mB, SENTIMENT_VAR_FLOOR);
      row.baselineVariance = varB;
      const mWindow = sumW / nW;
      const mNow = sSum[i]! / nNow;
      const { z, logP: sLogP } = sentimentTest(sumW, nW, mB, varB, nB);
      row.sentimentLogP = sLogP;
      row.sentimentScore = surprise(sLogP);
      const sameWay = Math.sign(mNow - mB) === Math.sign(z) && Math.abs(mNow - mB) >= th.minSentimentDelta / 2;
      if (nW >= th.minSentimentItems && Math.abs(mWindow - mB) >= th.minSentimentDelta && row.sentimentScore >= th.sentimentScore && sameWay) {
        row.sentimentFlag = z < 0 ? 'negative' : 'positive';
        sentimentFlagged[i] = 1;
      }
    }
    append(i, inWindow, wSum, wSq);
  }
  return out.filter((r) => r.start >= bucketStart(o.from, o.bucketMs));

  /** Adds bucket i to the prefix sums, once its flags are known; its count is capped by the window before it. */
  function append(i: number, inWindow: number, wSum: number, wSq: number): void {
    const before = i >= historyIdx;
    const include = before && !volumeFlagged[i];
    let c = count[i]!;
    if (inWindow >= 4) {
      const m = wSum / inWindow;
      const sd = Math.sqrt(Math.max(0, wSq / inWindow - m * m));
      c = Math.min(c, m + WINSOR_K * Math.max(sd, Math.sqrt(m), 1));
    }
    if (include) season.add(i, c);
    vN[i + 1] = vN[i]! + (include ? 1 : 0);
    vS[i + 1] = vS[i]! + (include ? c : 0);
    vQ[i + 1] = vQ[i]! + (include ? c * c : 0);
    const sc = before ? scored[i]! : 0;
    tN[i + 1] = tN[i]! + sc;
    tS[i + 1] = tS[i]! + (before ? sSum[i]! : 0);
    const keep = before && !sentimentFlagged[i];
    bN[i + 1] = bN[i]! + (keep ? scored[i]! : 0);
    bS[i + 1] = bS[i]! + (keep ? sSum[i]! : 0);
    bQ[i + 1] = bQ[i]! + (keep ? sSq[i]! : 0);
  }
}

const DAY_MS = 24 * 3_600_000;
/** A profile needs this many days of baseline: hour of day from a week, weekday from two. */
const HOUR_PROFILE_DAYS = 7;
const WEEKDAY_PROFILE_DAYS = 14;
/**
 * Pseudo-items at the overall rate added to each slot's count (and expectation): a slot's factor is
 * (its count + this) / (its flat expectation + this), so a slot of few items stays near 1×.
 */
const SEASON_SHRINK = 5;

/**
 * Hour-of-day and weekday seasonality of a topic's volume, learnt from the same baseline window as the
 * rate (buckets not flagged, counts winsorised) and kept as the window slides: per slot, the sum and
 * number of its buckets in the window. Once the window holds a week (hour of day) or two (weekday) of
 * history, a bucket's expected count is the baseline rate × its hour's factor × its weekday's factor,
 * each shrunk towards 1 for slots seen little; the spread those factors explain is taken out of the
 * overdispersion, so a topic busy by day and quiet by night is judged against its own hours.
 * Buckets of a day or longer have no hour of day; buckets that do not divide a day, no profile at all.
 */
class Seasonality {
  private readonly slots: number;
  private readonly hourSum: Float64Array;
  private readonly hourN: Float64Array;
  private readonly daySum = new Float64Array(7);
  private readonly dayN = new Float64Array(7);
  private readonly added: Float64Array;
  private readonly isIn: Uint8Array;
  private readonly hourOf: Int32Array;
  private readonly weekdayOf: Int8Array;

  constructor(first: number, bucketMs: number, n: number) {
    this.slots = bucketMs <= DAY_MS && DAY_MS % bucketMs === 0 ? DAY_MS / bucketMs : 0;
    this.hourSum = new Float64Array(Math.max(1, this.slots));
    this.hourN = new Float64Array(Math.max(1, this.slots));
    this.added = new Float64Array(n);
    this.isIn = new Uint8Array(n);
    this.hourOf = new Int32Array(n);
    this.weekdayOf = new Int8Array(n);
    if (this.slots === 0) return;
    for (let i = 0; i < n; i++) {
      const t = first + i * bucketMs;
      const day = Math.floor(t / DAY_MS);
      this.hourOf[i] = Math.floor((t - day * DAY_MS) / bucketMs);
      this.weekdayOf[i] = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    }
  }

  /** Bucket i joins the window with its (winsorised) count. */
  add(i: number, count: number): void {
    if (this.slots === 0) return;
    this.isIn[i] = 1;
    this.added[i] = count;
    this.hourSum[this.hourOf[i]!]! += count;
    this.hourN[this.hourOf[i]!]! += 1;
    this.daySum[this.weekdayOf[i]!]! += count;
    this.dayN[this.weekdayOf[i]!]! += 1;
  }

  /** Bucket i leaves the window (a no-op if it never joined). */
  remove(i: number): void {
    if (this.slots === 0 || this.isIn[i] === 0) return;
    this.isIn[i] = 0;
    const c = this.added[i]!;
    this.hourSum[this.hourOf[i]!]! -= c;
    this.hourN[this.hourOf[i]!]! -= 1;
    this.daySum[this.weekdayOf[i]!]! -= c;
    this.dayN[this.weekdayOf[i]!]! -= 1;
  }

  /** Bucket i's factor on the baseline rate, and the variance the profile explains, given the window's n buckets summing to `sum`. */
  at(i: number, n: number, sum: number): { factor: number; explainedVar: number } {
    if (this.slots === 0 || n === 0 || sum <= 0) return NO_SEASON;
    const days = n / this.slots;
    const m = sum / n;
    let factor = 1;
    let explainedVar = 0;
    if (this.slots > 1 && days >= HOUR_PROFILE_DAYS) {
      const shrunk = (s: number) => (this.hourSum[s]! + SEASON_SHRINK) / (this.hourN[s]! * m + SEASON_SHRINK);
      factor *= shrunk(this.hourOf[i]!);
      for (let s = 0; s < this.slots; s++) {
        const d = m * shrunk(s) - m;
        explainedVar += (this.hourN[s]! * d * d) / n;
      }
    }
    if (days >= WEEKDAY_PROFILE_DAYS) {
      const shrunk = (d: number) => (this.daySum[d]! + SEASON_SHRINK) / (this.dayN[d]! * m + SEASON_SHRINK);
      factor *= shrunk(this.weekdayOf[i]!);
      for (let d = 0; d < 7; d++) {
        const x = m * shrunk(d) - m;
        explainedVar += (this.dayN[d]! * x * x) / n;
      }
    }
    return { factor, explainedVar };
  }
}

const NO_SEASON = { factor: 1, explainedVar: 0 };

/**
 * Mean sentiment of n items (summing to `sum`) against a baseline mean/variance from nB items: the mean is
 * shrunk towards the baseline by a pseudo-item so one or two items cannot make a big z.
 */
function sentimentTest(sum: number, n: number, mB: number, varB: number, nB: number): { z: number; logP: number } {
  const shrunk = (sum + SENTIMENT_SHRINK * mB) / (n + SENTIMENT_SHRINK);
  const se = Math.sqrt(varB * (1 / (n + SENTIMENT_SHRINK) + 1 / nB));
  const z = (shrunk - mB) / se;
  return { z, logP: logNormalUpperTail(Math.abs(z)) };
}

/** Counts more than this many spreads above the window's mean are capped when they enter the history. */
const WINSOR_K = 4;

/**
 * Baseline rate and NB size from a window's (winsorised) counts: n buckets, their sum and sum of squares.
 * A Gamma prior keeps an empty window from expecting nothing; overdispersion beyond Poisson (bursty
 * sources; daily cycles the seasonal profile does not explain: `explainedVar`) widens the predictive
 * distribution.
 */
export function baselineRate(n: number, sum: number, sq: number, explainedVar = 0): { mean: number; size: number } {
  if (n === 0) return { mean: PRIOR_SHAPE / PRIOR_RATE, size: PRIOR_SHAPE };
  const shape = PRIOR_SHAPE + sum;
  const mean = shape / (PRIOR_RATE + n);
  const sampleMean = sum / n;
  // the spread the seasonal profile accounts for is not noise around the (seasonal) expectation
  const sampleVar = n > 1 ? Math.max(0, (sq - n * sampleMean * sampleMean) / (n - 1) - explainedVar) : 0;
  const over = sampleVar > sampleMean * 1.05 && sampleMean > 0 ? (sampleMean * sampleMean) / (sampleVar - sampleMean) : Infinity;
  const size = 1 / (1 / shape + 1 / over);
  return { mean, size };
}

/**
 * Detects a topic's moments over [from, asOf]. Explanations (sources, terms, examples) are added by
 * explain(). A sentiment shift that happens inside a volume spike of the same topic is not reported on
 * its own: the spike carries the tone (sentimentNow vs sentimentBaseline).
 */
export function detectMoments(topic: string, buckets: Bucket[], o: DetectOptions): Moment[] {
  const rows = scoreBuckets(buckets, o);
  const spikes = groups(rows, (r) => (r.volumeFlag ? 'up' : null)).map((g) => buildMoment(topic, 'volume-spike', g, rows, o));
  const W = Math.max(1, Math.min(Math.round(SENTIMENT_WINDOW_MS / o.bucketMs), Math.floor(Math.round(o.baselineMs / o.bucketMs) / 4)));
  const th = THRESHOLDS[o.sensitivity];
  const shifts = groups(rows, (r) => r.sentimentFlag)
    .map((g) => {
      // the swing began where its window's buckets start leaning the same way
      const base = rows[g.first]!.baselineSentiment ?? 0;
      const sign = g.direction === 'negative' ? -1 : 1;
      let first = g.first;
      for (let k = g.first - 1; k >= Math.max(0, g.first - W + 1); k--) {
        const m = rows[k]!.sentimentMean;
        if (m === null || sign * (m - base) < th.minSentimentDelta) break;
        first = k;
      }
      return buildMoment(topic, 'sentiment-shift', { ...g, first, flaggedFirst: g.first }, rows, o);
    })
    .filter((m) => !spikes.some((s) => s.start <= m.start && m.end <= s.end));
  return [...spikes, ...shifts];
}

interface Group {
  first: number;
  last: number;
  direction: MomentDirection;
  /** The first flagged bucket (first may reach back before it to where a swing began). */
  flaggedFirst?: number;
}

/** Runs of flagged buckets with the same direction, allowing a one-bucket gap inside a run. */
function groups(rows: BucketScore[], flag: (r: BucketScore) => MomentDirection | null): Group[] {
  const out: Group[] = [];
  let current: Group | null = null;
  rows.forEach((r, i) => {
    const d = flag(r);
    if (!d) return;
    if (current && current.direction === d && i - current.last <= 2) current.last = i;
    else {
      current = { first: i, last: i, direction: d };
      out.push(current);
    }
  });
  return out;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
/** A moment's sparkline: this many buckets before it, at most this many in all. */
const SERIES_LEAD = 4;
const SERIES_MAX = 16;

/**
 * The bucket that stands for "now": the current one, or the one before it while the current bucket has
 * barely begun (a moment that reached the end of the last full bucket is still going on).
 */
function lastLiveIndex(rows: BucketScore[], o: DetectOptions): number {
  const last = rows.length - 1;
  if (last < 0) return last;
  const elapsed = (o.asOf - rows[last]!.start) / o.bucketMs;
  return elapsed < 0.25 && last > 0 ? last - 1 : last;
}

/**
 * A moment's score is the surprise of the whole moment under the baseline (all its items pooled), or of
 * its peak bucket if that is higher: evidence accumulates over a sustained burst or swing.
 */
function buildMoment(topic: string, kind: MomentKind, g: Group, rows: BucketScore[], o: DetectOptions): Moment {
  const flagged = (r: BucketScore) => (kind === 'volume-spike' ? r.volumeFlag : r.sentimentFlag === g.direction);
  const bucketScore = (r: BucketScore) => (kind === 'volume-spike' ? r.volumeScore : r.sentimentScore);
  let peak = g.first;
  let totalStories = 0;
  let totalItems = 0;
  let expectedTotal = 0;
  let size = 0;
  let sentimentSum = 0;
  let sentimentItems = 0;
  for (let i = g.first; i <= g.last; i++) {
    const r = rows[i]!;
    if (flagged(r) && bucketScore(r) > bucketScore(rows[peak]!)) peak = i;
    totalStories += r.count;
    totalItems += r.items;
    expectedTotal += r.expected;
    size += r.size;
    if (r.sentimentMean !== null) {
      sentimentSum += r.sentimentMean * r.scored;
      sentimentItems += r.scored;
    }
  }
  const p = rows[peak]!;
  const base = rows[g.first]!;
  const live = lastLiveIndex(rows, o);
  const ongoing = g.last >= live - 1;
  const strength = (r: BucketScore) => (kind === 'volume-spike' ? r.count : Math.abs((r.sentimentMean ?? 0) - (base.baselineSentiment ?? 0)));
  const latest = rows[g.last]!;
  const before = g.last > g.first ? rows[g.last - 1]! : null;
  const growth = before && strength(before) > 0 ? round(strength(latest) / strength(before)) : null;
  const stage = !ongoing ? 'fading' : g.first === g.last ? 'new' : strength(latest) >= strength(p) ? 'rising' : 'peaked';
  let pooledLogP: number;
  if (kind === 'volume-spike') {
    pooledLogP = logNegBinomialUpperTail(totalStories, expectedTotal, size);
  } else {
    pooledLogP = sentimentTest(sentimentSum, sentimentItems, base.baselineSentiment ?? 0, base.baselineVariance, base.baselineScored).logP;
  }
  const peakLogP = kind === 'volume-spike' ? p.volumeLogP : p.sentimentLogP;
  // One alert per burst: when it fires, then again only when it has grown — a bucket's stories (scored
  // ones, for a tone shift) at least twice the moment's peak when it last alerted, and by minCount or more.
  const fired = g.flaggedFirst ?? g.first;
  const grownBy = THRESHOLDS[o.sensitivity].minCount;
  const bucketSize = (r: BucketScore) => (kind === 'volume-spike' ? r.count : r.scored);
  let alerts = 1;
  let alertedAt = Math.min(rows[fired]!.start + o.bucketMs, o.asOf);
  let level = 0;
  for (let i = g.first; i <= fired; i++) level = Math.max(level, bucketSize(rows[i]!));
  for (let i = fired + 1; i <= g.last; i++) {
    const v = bucketSize(rows[i]!);
    if (v >= ALERT_GROWTH * level && v - level >= grownBy) {
      alerts++;
      alertedAt = Math.min(rows[i]!.start + o.bucketMs, o.asOf);
      level = v;
    }
  }
  const logP = Math.min(pooledLogP, peakLogP);
  return {
    topic,
    kind,
    direction: g.direction,
    score: surprise(logP),
    pValue: Number(Math.exp(logP).toPrecision(3)),
    start: base.start,
    peak: p.start,
    end: rows[g.last]!.start + o.bucketMs,
    bucketMs: o.bucketMs,
    ongoing,
    stage,
    firedAt: Math.min(rows[fired]!.start + o.bucketMs, o.asOf),
    alerts,
    alertedAt,
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

/** A moment alerts again when a bucket's stories reach this multiple of its peak when it last alerted. */
const ALERT_GROWTH = 2;

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
