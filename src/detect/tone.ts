import { type Alert, Episodes } from './alerts.js';
import { logNormalUpperTail, SCORE_CAP } from './stats.js';
import { T_ACTIVE, T_DOWN, T_EPISODE_DOWN, T_EPISODE_UP, T_GROWTH, T_ONSET, T_UP, V_TONE_BASELINE, V_TONE_FLAGS, V_TONE_ITEMS, V_TONE_MEAN, V_TONE_SURPRISE, verdict, row, R_N, R_SUM, R_SQ } from './verdict.js';

/**
 * The tone half of the engine: a shift in mean sentiment is a surprise given how many items carry it.
 * Per row it takes the number of scored items and their sentiment sum (and sum of squares, if known).
 *
 * - Baseline: an exponentially weighted mean and per-item variance of sentiment (half-life `baselineMs`),
 *   not fed while a swing is going on (unless it lasts two days: then it is the new normal).
 * - Evidence: the mean of the items in the last hour, 6 hours and day of rows, shrunk towards the
 *   baseline by one pseudo-item, against the baseline — a z for that many items, standardised by the
 *   spread such z's have had on this series (items about one story are not independent), never below 1.
 * - Surprise S = −log10 of the two-sided tail, less log10 of the number of windows; alerts through the
 *   same episodes and sensitivity table as volume.
 */
export interface ToneScore {
  /** Surprise of the strongest window (0 while learning). */
  surprise: number;
  /** +1 more positive than the baseline, −1 more negative, 0 neither or not judged. */
  direction: 1 | -1 | 0;
  /** Mean sentiment of the strongest window's items, and the baseline's (null while unknown). */
  mean: number | null;
  baseline: number | null;
  /** Items in the strongest window. */
  items: number;
  alert: Alert;
  /** The row belongs to a swing (an open episode, not cooling down). */
  active: boolean;
  /** Which way the open swing goes (+1 positive, −1 negative, 0 none). */
  episode: 1 | -1 | 0;
}

/** A tone score to fill (toneOf's `out`). */
export function blankTone(): ToneScore {
  // (each field first holds a value of every kind it will hold, then its blank: see blankScore)
  const t: ToneScore = { surprise: 0.5, direction: 0, mean: 0.5, baseline: 0.5, items: 0.5, alert: 'onset', active: false, episode: 0 };
  t.surprise = 0;
  t.mean = null;
  t.baseline = null;
  t.items = 0;
  t.alert = null;
  return t;
}

/** `out` filled from the tone slots of `verdict` (what ToneChannel.judge wrote). */
export function toneOf(out: ToneScore): ToneScore {
  const f = verdict[V_TONE_FLAGS]!;
  const mean = verdict[V_TONE_MEAN]!;
  const baseline = verdict[V_TONE_BASELINE]!;
  out.surprise = verdict[V_TONE_SURPRISE]!;
  out.direction = f & T_UP ? 1 : f & T_DOWN ? -1 : 0;
  out.mean = Number.isNaN(mean) ? null : mean;
  out.baseline = Number.isNaN(baseline) ? null : baseline;
  out.items = verdict[V_TONE_ITEMS]!;
  out.alert = f & T_ONSET ? 'onset' : f & T_GROWTH ? 'growth' : null;
  out.active = (f & T_ACTIVE) !== 0;
  out.episode = f & T_EPISODE_UP ? 1 : f & T_EPISODE_DOWN ? -1 : 0;
  return out;
}

/** Windows (ms) over which a swing accumulates. */
const WINDOWS_MS = [3_600_000, 6 * 3_600_000, 24 * 3_600_000];
/** Items the baseline needs before tone is judged, and a window before it may alert. */
const MIN_BASELINE_ITEMS = 8;
const MIN_ITEMS = 3;
/** A swing must move the mean at least this far (sentiment runs from −1 to 1). */
const MIN_DELTA = 0.15;
const SHRINK = 1;
const VAR_FLOOR = 0.04;
/** A swing longer than this is the new normal: the baseline learns again. */
const MAX_FROZEN_MS = 2 * 86_400_000;

export class ToneChannel {
  private readonly windows: number[];
  private readonly ringN: Float64Array;
  private readonly ringS: Float64Array;
  private pos = 0;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private readonly zVar: Float64Array;
  private readonly zSeen: Float64Array;
  /** This row's z per window (NaN: no items in it), reused from row to row. */
  private readonly zs: Float64Array;
  private readonly decay: number;
  /** Past this many z's, 1/(n + 1) is below 1 − decay and the z spreads learn at that rate. */
  private readonly slowAfter: number;
  private bN = 0;
  private bS = 0;
  private bQ = 0;
  private frozen = 0;
  private readonly maxFrozen: number;
  private readonly correction: number;
  private readonly episodes: Episodes;

  constructor(stepMs: number, baselineMs: number, threshold: number) {
    const rows = (ms: number) => Math.max(1, Math.round(ms / stepMs));
    this.windows = [...new Set(WINDOWS_MS.map(rows))];
    const size = Math.max(...this.windows) + 1;
    this.ringN = new Float64Array(size);
    this.ringS = new Float64Array(size);
    this.sums = new Float64Array(this.windows.length);
    this.counts = new Float64Array(this.windows.length);
    this.zVar = new Float64Array(this.windows.length).fill(1);
    this.zSeen = new Float64Array(this.windows.length);
    this.zs = new Float64Array(this.windows.length);
    // half-life of the baseline: the baseline period
    this.decay = Math.pow(0.5, 1 / rows(baselineMs));
    this.slowAfter = Math.ceil(1 / (1 - this.decay)) + 1;
    this.maxFrozen = rows(MAX_FROZEN_MS);
    this.correction = Math.log10(this.windows.length);
    this.episodes = new Episodes(threshold, stepMs);
  }

  /**
   * Scores one row, then learns from it: its scored items, their sentiment sum and sum of squares (NaN:
   * not known) read from `row`, the score written into `verdict`'s tone slots (toneOf gives it as an object).
   */
  judge(): void {
    const n = row[R_N]!;
    const sum = row[R_SUM]!;
    const sq = row[R_SQ]!;
    const size = this.ringN.length;
    this.pos = (this.pos + 1) % size;
    for (let j = 0; j < this.windows.length; j++) {
      let old = this.pos - this.windows[j]!;
      if (old < 0) old += size;
      this.counts[j] = this.counts[j]! - this.ringN[old]! + n;
      this.sums[j] = this.sums[j]! - this.ringS[old]! + sum;
    }
    this.ringN[this.pos] = n;
    this.ringS[this.pos] = sum;
    let surprise = 0;
    let direction = 0;
    let mean = NaN;
    let baseline = NaN;
    let items = 0;
    let flags = 0;
    const judged = this.bN >= MIN_BASELINE_ITEMS;
    const zs = this.zs;
    for (let j = 0; j < zs.length; j++) zs[j] = NaN; // (fill() costs more than the loop on three)
    if (judged) {
      const mB = this.bS / this.bN;
      const varB = Math.max(this.bQ / this.bN - mB * mB, VAR_FLOOR);
      const perB = 1 / this.bN;
      baseline = mB;
      for (let j = 0; j < this.windows.length; j++) {
        const nW = this.counts[j]!;
        if (nW <= 0) continue;
        const mW = this.sums[j]! / nW;
        const shrunk = (this.sums[j]! + SHRINK * mB) / (nW + SHRINK);
        const z = (shrunk - mB) / Math.sqrt(varB * (1 / (nW + SHRINK) + perB));
        zs[j] = z;
        if (nW < MIN_ITEMS || Math.abs(mW - mB) < MIN_DELTA || Math.sign(n > 0 ? sum / n - mB : mW - mB) !== Math.sign(z)) continue;
        const u = Math.abs(z) / Math.sqrt(Math.max(this.zVar[j]!, 1));
        const s = Math.min(SCORE_CAP, -(logNormalUpperTail(u) + Math.LN2) / Math.LN10 - this.correction);
        if (s > surprise) {
          surprise = s;
          direction = z > 0 ? 1 : -1;
          mean = mW;
          items = nW;
        }
      }
      if (Number.isNaN(mean) && n > 0) mean = sum / n;
      // growth is judged on this row's own items leaning the swing's way (a window fills up by itself)
      const lean = n > 0 ? n * Math.max(0, direction * (sum / n - mB)) : 0;
      const alert = this.episodes.push(surprise, direction as 1 | -1 | 0, lean);
      const episode = this.episodes.direction;
      flags = (direction > 0 ? T_UP : direction < 0 ? T_DOWN : 0) | (alert === 'onset' ? T_ONSET : alert === 'growth' ? T_GROWTH : 0);
      flags |= (this.episodes.active ? T_ACTIVE : 0) | (episode > 0 ? T_EPISODE_UP : episode < 0 ? T_EPISODE_DOWN : 0);
    }
    verdict[V_TONE_SURPRISE] = surprise;
    verdict[V_TONE_MEAN] = mean;
    verdict[V_TONE_BASELINE] = baseline;
    verdict[V_TONE_ITEMS] = items;
    verdict[V_TONE_FLAGS] = flags;
    // learn: the baseline from rows outside a swing, and the spread of each window's z
    const swinging = this.episodes.active;
    this.frozen = swinging ? this.frozen + 1 : 0;
    if (!swinging || this.frozen > this.maxFrozen) {
      this.bN = this.bN * this.decay + n;
      this.bS = this.bS * this.decay + sum;
      this.bQ = this.bQ * this.decay + (Number.isNaN(sq) ? (n > 0 ? (sum * sum) / n : 0) : sq);
      const slowest = 1 - this.decay;
      for (let j = 0; j < zs.length; j++) {
        const z = zs[j]!;
        if (Number.isNaN(z)) continue;
        const v = this.zVar[j]!;
        const zc = Math.min(z * z, 16 * v);
        const seen = ++this.zSeen[j]!;
        // the rate 1/(seen + 1) until it falls to the slowest (a division saved once it has)
        const rate = seen + 1 > this.slowAfter ? slowest : Math.max(slowest, 1 / (seen + 1));
        this.zVar[j] = v + rate * (zc - v);
      }
    }
  }
}
