import type { Sensitivity } from '../config/schema.js';
import { ALERT_STEP_MS, ALERT_SURPRISE, type Alert, Episodes } from './alerts.js';
import { logIncompleteBeta, logNegBinomialUpperTail, logNormalUpperTail, SCORE_CAP } from './stats.js';
import { blankTone, ToneChannel, type ToneScore, toneOf } from './tone.js';
import {
  F_DOWN,
  F_EPISODE_UP,
  F_GROWTH,
  F_LEARNING,
  F_MOMENT,
  F_ONSET,
  F_TONE,
  F_UP,
  V_EXPECTED,
  V_FLAGS,
  V_SCORE,
  verdict,
  row,
  R_T,
  R_VALUE,
  R_SENTIMENT,
  R_N,
  R_SUM,
  R_SQ,
  setRow,
} from './verdict.js';

/**
 * momentscan's one detection engine, used by every command: `moments`, `scan`, `digest` and `timeline`
 * run it on a topic's stories per bucket, `detect` on a series you bring. Pure, causal and streaming. One pass, one score per row; what is reported
 * for a row depends only on that row and the rows before it (the row is scored before anything is
 * learnt from it). Memory is bounded — ring buffers of at most six weeks of rows — so a million-row
 * series streams through.
 *
 * For every row:
 *
 * 1. Expected value. Forecasters run side by side: a fast and a slow robust level (exponentially
 *    weighted, steps clipped), the same time of day on earlier days and the same time on earlier weeks
 *    (once a day / a week of history exists; a trimmed mean over up to 7 days / 6 weeks of 3-row
 *    neighbourhoods — medians, or means for sparse counts — so one odd day or spike does not count). The
 *    forecaster with the lowest median daily error over the last week wins (with a margin) and gives
 *    `expected`: one odd day does not change the model, and seasonality is used only once it predicts
 *    better. The error is the absolute error, or for low counts the Poisson deviance (on absolute
 *    errors a forecast of 0 would win on a sparse series).
 * 2. Point residual → z. Non-negative integer series (counts) are judged by a negative binomial whose
 *    overdispersion comes from the robust residual scale: the exact (mid-p) tail for small counts, so
 *    one item on a quiet topic is no surprise, the Wilson–Hilferty approximation for large counts.
 *    Other series by a robust location/scale residual. The scale is an EW mean absolute residual, also
 *    learnt per hour of day when there is a daily rhythm; rows with |z| ≥ 4 do not teach it (earlier
 *    spikes do not widen it) unless more than 288 come in a row (a new regime).
 * 3. Evidence over time. The mean z over the last 4, 16 and 64 rows (within 16 hours: evidenceScales),
 *    standardised by its own learnt spread
 *    (which absorbs autocorrelation; never less than for independent rows), so a sustained shift or a
 *    burst counts as well as one outlier.
 * 4. Calibration. Each statistic becomes a tail probability against the series' own history. For the
 *    point residual: the normal tail, unless the series exceeds that level routinely (more often than
 *    the normal tail and than 5 episodes per 5,000 rows) — a series that spikes every hour is not
 *    surprised by a spike, while a rare earlier anomaly does not make the next one look normal. For the
 *    window means: the normal tail plus every episode seen. The strongest window wins after a
 *    Bonferroni correction: surprise S = −log10 p (two-sided).
 * 5. Score. The score is the surprise S itself (0 while learning), on the same scale for every series
 *    and every command. Alerts: one per burst (see alerts.ts) — an episode opens when S reaches the
 *    sensitivity's level (ALERT_SURPRISE), and alerts again only when the burst has doubled.
 * 6. Tone. Rows that carry the number of scored items and their mean sentiment also feed the tone
 *    channel (tone.ts): a shift in mean sentiment is a surprise given how many items carry it, with the
 *    same surprise scale, sensitivity table and episodes.
 */

export interface SeriesPoint {
  /** Epoch milliseconds. */
  t: number;
  value: number;
  /** Mean sentiment of the row's n scored items (tone), and optionally the sum of their squares. */
  sentiment?: number | null;
  n?: number | null;
  sentimentSq?: number | null;
}

export type Direction = 'up' | 'down' | 'both';

export interface SeriesScore {
  t: number;
  value: number;
  /** The forecast for this row; null while learning. */
  expected: number | null;
  /** Surprise S = −log10 p, calibrated on the series' own history; the same scale everywhere (0 while learning). */
  score: number;
  /** The row belongs to a burst that alerted (an open episode, not cooling down). */
  moment: boolean;
  /** Which way the burst this row belongs to goes (null when `moment` is false). */
  episode: 'up' | 'down' | null;
  /** 'onset' when a burst first alerts, 'growth' when it has doubled since its last alert. */
  alert: Alert;
  /** True during the warm-up: no forecast and no score yet. */
  learning: boolean;
  /** Side of `expected` the value is on (null while learning or when exactly as expected). */
  direction: 'up' | 'down' | null;
  /** Tone, for rows that carry sentiment (null otherwise). */
  tone: ToneScore | null;
}

export interface SeriesOptions {
  /** Spacing of the rows (see inferResolution). */
  resolutionMs: number;
  sensitivity: Sensitivity;
  /** Half-life of the tone baseline (default 14 days). */
  baselineMs?: number;
  /** Which bursts alert: rises ('up', what `moments` reports), falls ('down') or both (the default). */
  direction?: Direction;
  /**
   * The rows are counts (of items, mentions…): rows finer than 15 minutes are then judged in quarter
   * hours, as topics' buckets are (see SeriesDetector). Other series are judged row by row.
   */
  counts?: boolean;
  /** Internal knobs, for evaluation only. */
  tuning?: Partial<Tuning>;
}

export interface Tuning {
  /** Window lengths (rows) over which evidence accumulates; the first must be 1. */
  scales: number[];
  /** Residuals are clipped at this many scales when learning. */
  clip: number;
  /** Spans (rows) of the robust level forecasters. */
  levelSpans: number[];
  /** Earlier days / weeks the seasonal forecasters look back. */
  maxDays: number;
  maxWeeks: number;
  /** Completed cycles (days) over which forecasters are compared, and the margin to switch. */
  selCycles: number;
  hysteresis: number;
  /** Minimum warm-up rows (with a daily season at least two days of rows, up to 576). */
  warmup: number;
  /** Rows with |z| at least this do not teach the scale, unless more than maxFreeze in a row. */
  freezeZ: number;
  maxFreeze: number;
  /** Learn the scale per hour of day; how fast; its floor relative to the overall scale; its weight. */
  slotScale: boolean;
  slotAlpha: number;
  slotFloor: number;
  slotBlend: number;
  /** The scale is at least this fraction of the unclipped mean absolute error (mostly-constant series). */
  maeFloor: number;
  /** Count tail: exact negative binomial up to this count, Wilson–Hilferty above. */
  exactMax: number;
  /**
   * Calibration against the series' own tail: on/off, memory (rows), power-law index, and the episodes
   * a point level needs within the memory to count as routine (window means count every episode).
   */
  calibrate: boolean;
  tailSpan: number;
  routine: number;
  tailPower: number;
  /** Clip for z entering the window means. */
  zClip: number;
  /** Alert level (surprise), overriding the sensitivity's: for evaluation. */
  alertSurprise?: number;
}

/**
 * Windows (rows) over which evidence accumulates: a row and 4 rows, then 16 and 64 rows while they span
 * at most 16 hours (15-minute rows: 15 minutes to 16 hours; hourly: up to 16 hours; daily: 1 and 4 days).
 */
export function evidenceScales(resolutionMs: number): number[] {
  return [1, 4, 16, 64].filter((w, i) => i < 2 || w * resolutionMs <= 16 * 3_600_000);
}

export const DEFAULT_TUNING: Readonly<Tuning> = {
  scales: [1, 4, 16], // replaced by evidenceScales(resolution) unless tuning gives its own
  clip: 4,
  levelSpans: [4, 96],
  maxDays: 7,
  maxWeeks: 6,
  selCycles: 7,
  hysteresis: 0.95,
  warmup: 16,
  freezeZ: 4,
  maxFreeze: 288,
  slotScale: true,
  slotAlpha: 0.3,
  slotFloor: 0.25,
  slotBlend: 0.75,
  maeFloor: 0.25,
  exactMax: 200,
  calibrate: true,
  tailSpan: 5000,
  routine: 5,
  tailPower: 3,
  zClip: 8,
};

const DAY_MS = 86_400_000;

/**
 * The engine's knobs: the defaults with the evidence scales for the resolution, and what `t` sets, as
 * `{ ...DEFAULT_TUNING, scales, ...t }` gives them. Built field by field, not spread: V8 gives a spread copy
 * its source's layout and, after a few engines, marks that layout's fields mutable, which throws away the
 * optimised code of every method that reads them (once per thread: ~0.1-0.2 s of CPU in a cold `moments`).
 */
function tuningOf(scales: number[], t: Partial<Tuning>): Tuning {
  const d = DEFAULT_TUNING;
  const own = (k: keyof Tuning) => Object.prototype.hasOwnProperty.call(t, k);
  return {
    scales: own('scales') ? t.scales! : scales,
    clip: own('clip') ? t.clip! : d.clip,
    levelSpans: own('levelSpans') ? t.levelSpans! : d.levelSpans,
    maxDays: own('maxDays') ? t.maxDays! : d.maxDays,
    maxWeeks: own('maxWeeks') ? t.maxWeeks! : d.maxWeeks,
    selCycles: own('selCycles') ? t.selCycles! : d.selCycles,
    hysteresis: own('hysteresis') ? t.hysteresis! : d.hysteresis,
    warmup: own('warmup') ? t.warmup! : d.warmup,
    freezeZ: own('freezeZ') ? t.freezeZ! : d.freezeZ,
    maxFreeze: own('maxFreeze') ? t.maxFreeze! : d.maxFreeze,
    slotScale: own('slotScale') ? t.slotScale! : d.slotScale,
    slotAlpha: own('slotAlpha') ? t.slotAlpha! : d.slotAlpha,
    slotFloor: own('slotFloor') ? t.slotFloor! : d.slotFloor,
    slotBlend: own('slotBlend') ? t.slotBlend! : d.slotBlend,
    maeFloor: own('maeFloor') ? t.maeFloor! : d.maeFloor,
    exactMax: own('exactMax') ? t.exactMax! : d.exactMax,
    calibrate: own('calibrate') ? t.calibrate! : d.calibrate,
    tailSpan: own('tailSpan') ? t.tailSpan! : d.tailSpan,
    routine: own('routine') ? t.routine! : d.routine,
    tailPower: own('tailPower') ? t.tailPower! : d.tailPower,
    zClip: own('zClip') ? t.zClip! : d.zClip,
    alertSurprise: t.alertSurprise,
  };
}

/** Usual resolutions: a gap within 5% of one of them is taken as it (timestamps with jitter). */
const NICE_GAPS = [1, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 14400, 21600, 43200, 86400, 604800].map((s) => s * 1000);

function snapGap(d: number): number {
  for (const n of NICE_GAPS) if (Math.abs(d - n) <= 0.05 * n) return n;
  return d >= 1000 ? Math.round(d / 1000) * 1000 : d;
}

/**
 * The series' resolution (ms): the most common gap between consecutive timestamps (snapped to a usual
 * resolution when within 5% of one, else to the second), so missing rows and jitter do not change it —
 * or a smaller gap that divides it and is also common (every other row missing). One row or none: a day.
 */
export function inferResolution(points: readonly { t: number }[]): number {
  const counts = new Map<number, number>();
  let n = 0;
  for (let i = 1; i < points.length && n < 10_000; i++) {
    const d = points[i]!.t - points[i - 1]!.t;
    if (!(d > 0)) continue;
    const k = snapGap(d);
    counts.set(k, (counts.get(k) ?? 0) + 1);
    n++;
  }
  if (counts.size === 0) return DAY_MS;
  let best = 0;
  let bestCount = 0;
  for (const [k, c] of counts) {
    if (c > bestCount || (c === bestCount && k < best)) {
      best = k;
      bestCount = c;
    }
  }
  for (const [k, c] of [...counts].sort((a, b) => a[0] - b[0])) {
    if (k >= best) break;
    if (best % k === 0 && c >= bestCount / 4) return k;
  }
  return best;
}

/** The normal score z ≥ 0 whose upper tail has natural-log probability logP (0 for logP ≥ ln ½). */
export function probitFromLogTail(logP: number): number {
  if (!(logP < -Math.LN2)) return 0;
  if (logP > -700) return -inverseNormalCdf(Math.exp(logP));
  // far tail: asymptotic start, then Newton on ln Q(z) = logP with d/dz ln Q(z) = −φ(z)/Q(z)
  let z = Math.sqrt(-2 * logP);
  z -= Math.log(4 * Math.PI * -logP) / (2 * z);
  for (let i = 0; i < 3; i++) {
    const lq = logNormalUpperTail(z);
    z += (lq - logP) / Math.exp(-0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - lq);
  }
  return z;
}

/** Φ⁻¹(p) for 0 < p < 1 (P. J. Acklam's rational approximation, relative error < 1.2e-9). */
function inverseNormalCdf(p: number): number {
  // (the coefficients as constants: arrays made per call were a third of the engine's garbage)
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783) / ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
  }
  if (p > 1 - 0.02425) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r - 3.066479806614716e1) * r + 2.506628277459239) * q / (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r - 1.328068155288572e1) * r + 1);
}

/** ln P(X ≤ k) for X negative binomial with the given mean and size. */
function logNegBinomialLower(k: number, mean: number, size: number): number {
  if (k < 0) return -Infinity;
  if (mean <= 0) return 0;
  return logIncompleteBeta(size / (mean + size), size, k + 1);
}

const logAddExp = (a: number, b: number) =>
  a === -Infinity ? b : b === -Infinity ? a : a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));

/**
 * Signed normal score of a count x under a negative binomial with mean m and overdispersion phi
 * (Var = m + phi·m²): the exact mid-p tail for small counts away from the middle of the distribution,
 * otherwise the Wilson–Hilferty cube-root approximation of the matching gamma (fast, and close).
 */
export function countZ(x: number, m: number, phi: number, exactMax = DEFAULT_TUNING.exactMax): number {
  if (x === m) return 0;
  const c = (m + phi * m * m) / (9 * m * m); // 1 / (9 × gamma shape)
  const wh = (Math.cbrt(x / m) - (1 - c)) / Math.sqrt(c);
  if (Math.max(x, m) > exactMax || (Math.abs(wh) <= 1.5 && m >= 5)) return wh;
  return exactCountZ(x, m, phi);
}

/** countZ's exact tail (small counts away from the middle of the distribution). */
function exactCountZ(x: number, m: number, phi: number): number {
  const size = phi > 1e-6 ? 1 / phi : 1e6;
  let logP = x <= 60 && m <= 40 ? smallCountMidP(x, m, size) : NaN;
  if (!Number.isNaN(logP)) {
    // done: summed directly
  } else if (x > m) logP = logAddExp(logNegBinomialUpperTail(x, m, size), logNegBinomialUpperTail(x + 1, m, size)) - Math.LN2;
  else logP = logAddExp(logNegBinomialLower(x, m, size), logNegBinomialLower(x - 1, m, size)) - Math.LN2;
  const z = probitFromLogTail(Math.min(logP, -Math.LN2));
  return x > m ? z : -z;
}

/**
 * ln of the mid-p tail of a small count x (in its direction) under a negative binomial, by summing the
 * probabilities (p₀ = (size/(m+size))^size, p_{k+1} = p_k·(k+size)/(k+1)·m/(m+size)); NaN when an
 * upper tail is too small to take from 1 − cdf accurately.
 */
function smallCountMidP(x: number, m: number, size: number): number {
  const q = m / (m + size);
  let pk = Math.exp(-size * Math.log1p(m / size));
  let cdf = 0;
  for (let k = 0; k < x; k++) {
    cdf += pk;
    pk *= ((k + size) / (k + 1)) * q;
  }
  // pk is now P(X = x), cdf = P(X < x)
  if (x < m) return Math.log(cdf + pk / 2);
  const upper = 1 - cdf - pk / 2;
  return upper > 1e-9 ? Math.log(upper) : NaN;
}

/** The series' own tail frequencies are tracked at |z| = 2·1.25^k, up to 10^6. */
const TAIL_BASE = 2;
const LOG_RATIO = Math.log(1.25);
const TAIL_LEVELS = Math.ceil(Math.log(5e5) / LOG_RATIO) + 1;
const tailLevel = (k: number) => TAIL_BASE * Math.exp(k * LOG_RATIO);
/** Index of the highest level ≤ a (−1 below the first). */
const levelBelow = (a: number) => (a < TAIL_BASE ? -1 : Math.min(TAIL_LEVELS - 1, Math.floor(Math.log(a / TAIL_BASE) / LOG_RATIO + 1e-9)));
const NORMAL_TAIL = Array.from({ length: TAIL_LEVELS }, (_, k) => Math.exp(logNormalUpperTail(tailLevel(k))));
/** The longest history kept (rows): six weeks at one-minute resolution. */
const MAX_RING = 6 * 7 * 1440;
/** Below this slow level (counts per row) a count series is sparse: forecasters race on the deviance. */
const SPARSE_LEVEL = 10;

/**
 * Exceedance frequencies of one statistic, upwards and downwards, per episode (a run above a level
 * counts once, when it crosses it), forgotten exponentially. Stored inflated by a growing factor, so a
 * row costs only the levels it crosses. Two ways to use them:
 * - routine (point residuals): a level counts only where the series exceeds it more often than the
 *   normal tail and than `routine` episodes per memory — rarer excursions were anomalies, and must not
 *   make the next one look normal;
 * - honest (window means): the frequencies start at the normal tail and every episode counts.
 */
class TailCounter {
  // (the engine's judge counts each row itself: forgets a little — inflate *= grow, rescale() past 1e200
  // — then adds alpha × inflate to the levels the row newly crosses, those above prevLevel when the
  // previous row was on the same side, and keeps the row as prev)
  readonly up: Float64Array;
  readonly down: Float64Array;
  /** Frequency a level must exceed to count (0: any). */
  private readonly floor: Float64Array;
  inflate = 1;
  prev = 0;
  /** levelBelow(|prev|). */
  prevLevel = -1;
  readonly grow: number;
  constructor(
    readonly alpha: number,
    private readonly power: number,
    routine: number,
  ) {
    this.grow = 1 / (1 - alpha);
    const honest = routine <= 0;
    this.up = Float64Array.from(NORMAL_TAIL, (q) => (honest ? q : 0));
    this.down = Float64Array.from(this.up);
    this.floor = Float64Array.from(NORMAL_TAIL, (q) => (honest ? 0 : Math.max(q, routine * alpha)));
  }

  /** The frequencies divided by the inflation factor, which starts again at 1. */
  rescale(): void {
    for (let k = 0; k < TAIL_LEVELS; k++) {
      this.up[k]! /= this.inflate;
      this.down[k]! /= this.inflate;
    }
    this.inflate = 1;
  }

  /**
   * ln p of a value as extreme as u in its direction, without counting u: the normal tail, or — if
   * higher — the frequency of the highest level below |u| that counts, extended beyond it by a power
   * law. At or below `cut` the caller has no use for the value (its surprise would be ≤ 0): 0.
   */
  peek(u: number, enabled: boolean, cut = 0): number {
    return Math.abs(u) <= cut ? 0 : this.beyond(u, levelBelow(Math.abs(u)), enabled);
  }

  /** peek above the cut, given j = levelBelow(|u|). */
  beyond(u: number, j: number, enabled: boolean): number {
    const a = Math.abs(u);
    let lp = logNormalUpperTail(a);
    if (enabled) {
      const tail = u >= 0 ? this.up : this.down;
      for (let k = j; k >= 0; k--) {
        const f = tail[k]! / this.inflate - this.floor[k]!;
        if (f <= 0) continue;
        const emp = Math.log(f) + this.power * Math.log(tailLevel(k) / a);
        if (emp > lp) lp = emp;
        break;
      }
    }
    return lp;
  }
}

type ForecasterKind = 'level' | 'daily' | 'weekly';

interface Preview {
  expected: number;
  z: number;
  surprise: number;
}
/** What RowModel.preview gives (one object, filled by each call). */
const lookAt: Preview = { expected: 0, z: 0, surprise: 0 };

/** One forecaster and what has been learnt about its errors. */
interface Forecaster {
  name: string;
  kind: ForecasterKind;
  /** Forecast for the current row (NaN: not available), and its residual scale. */
  pred: number;
  scale: number;
  /** Rows scored, and rows learnt from (not frozen). */
  seen: number;
  learnt: number;
  /** Rows needed before it may be chosen. */
  minSeen: number;
  /** Running clipped error (until a cycle completes), the cycle in progress, recent cycles' means. */
  err: number;
  cycSum: number;
  cycN: number;
  cycles: number[];
  /** EW mean absolute residual (clipped, frozen on outliers), and per hour of day (NaN until seen). */
  mad: number;
  slotMad: Float64Array | null;
  /** EW mean absolute error, unclipped and never frozen. */
  mae: number;
}

/** The model behind SeriesDetector: one row per step of at least 15 minutes. */
class RowModel {
  private readonly tu: Tuning;
  private readonly res: number;
  private readonly threshold: number;
  /** Rows per day and per week (0 = no such season at this resolution). */
  private readonly day: number;
  private readonly week: number;
  private readonly warmup: number;
  /** History ring: raw values, 3-row smoothed values (NaN until the next row), row indexes. */
  private readonly ringVal: Float64Array;
  private readonly ringSmooth: Float64Array;
  private readonly ringIdx: Float64Array;
  private t0 = NaN;
  private lastIdx = -Infinity;
  private n = 0;
  private integerOnly = true;
  private countMode = true;
  /** Low-count series: the forecasters race on the Poisson deviance. */
  private sparse = false;
  private absMean = NaN;
  private readonly levels: number[];
  private readonly fc: Forecaster[];
  private best = 0;
  private readonly selAlpha: number;
  private readonly scaleAlpha: number;
  private readonly cycleLen: number;
  private cycle = NaN;
  /** Hour-of-day slots (24, or fewer at coarse resolutions) and rows per slot. */
  private readonly slots: number;
  private readonly slotRows: number;
  private frozenRun = 0;
  /** The row phase() last placed in the day: its hour slot, and the slots (and share) scales interpolate between. */
  private phaseIdx = NaN;
  /** The row forecast() last forecast, and how many rows had been learnt then: the same again is not recomputed. */
  private forecastIdx = NaN;
  private forecastN = -1;
  private slot = 0;
  private slotLo = 0;
  private slotHi = 0;
  private slotFrac = 0;
  // evidence over time
  private readonly zRing: Float64Array;
  private zPos = 0;
  private readonly zSums: Float64Array;
  private readonly zVar: Float64Array;
  private readonly zSeen: Float64Array;
  private readonly zMean: Float64Array;
  private readonly correction: number;
  private readonly zeroBelow: number;
  private readonly tails: TailCounter[];
  private readonly scratch = new Float64Array(64);
  private readonly episodes: Episodes;
  private readonly tone: ToneChannel;
  private hasTone = false;
  /** Which way the strongest evidence of the last row pointed (+1 up, −1 down). */
  private evidenceSign: 1 | -1 | 0 = 0;

  constructor(opts: SeriesOptions) {
    const res = Math.max(1, opts.resolutionMs);
    const tu = (this.tu = tuningOf(evidenceScales(res), opts.tuning ?? {}));
    this.res = res;
    // the alert level holds per quarter of an hour: a finer series is tested more often, so it needs
    // a surprise that much larger for the same false alerts per day
    this.threshold = (tu.alertSurprise ?? ALERT_SURPRISE[opts.sensitivity]) + Math.log10(Math.max(1, ALERT_STEP_MS / this.res));
    this.episodes = new Episodes(this.threshold, this.res, opts.direction === 'up' ? 1 : opts.direction === 'down' ? -1 : 0);
    this.tone = new ToneChannel(this.res, opts.baselineMs ?? 14 * DAY_MS, this.threshold);
    const perDay = DAY_MS / this.res;
    // seasons need a whole number of rows per day; beyond MAX_RING rows of history (finer than a
    // minute) they are left out, so memory stays bounded
    this.day = Number.isInteger(perDay) && perDay >= 4 && perDay * tu.maxDays <= MAX_RING ? perDay : 0;
    this.week = Number.isInteger(perDay) && perDay * 7 * tu.maxWeeks <= MAX_RING ? perDay * 7 : 0;
    this.warmup = SeriesDetector.warmupRows(this.res, tu);
    const span = Math.max(this.week * tu.maxWeeks, this.day * tu.maxDays, 1) + 2;
    this.ringVal = new Float64Array(span).fill(NaN);
    this.ringSmooth = new Float64Array(span).fill(NaN);
    this.ringIdx = new Float64Array(span).fill(-1);
    // (a packed array of doubles: map() makes a holey one, whose loads V8 must check for holes and box)
    this.levels = Array.from(tu.levelSpans, () => NaN);
    this.selAlpha = 1 / Math.min(Math.max(this.week, 96), 2016);
    this.scaleAlpha = 1 / Math.max(64, Math.min(this.day || 128, 288));
    this.cycleLen = this.day >= 16 ? this.day : this.week >= 16 ? this.week : 16;
    this.slots = this.day ? Math.min(24, this.day) : 0;
    this.slotRows = this.day ? this.day / this.slots : 1;
    const mk = (name: string, kind: ForecasterKind, minSeen: number): Forecaster => ({
      name,
      kind,
      pred: NaN,
      scale: NaN,
      seen: 0,
      learnt: 0,
      minSeen,
      err: NaN,
      cycSum: 0,
      cycN: 0,
      cycles: [],
      mad: NaN,
      slotMad: this.slots && tu.slotScale ? new Float64Array(this.slots).fill(NaN) : null,
      mae: NaN,
    });
    this.fc = tu.levelSpans.map((s) => mk(`level${s}`, 'level', 0));
    if (this.day) this.fc.push(mk('daily', 'daily', this.day));
    if (this.week) this.fc.push(mk('weekly', 'weekly', this.week));
    const maxScale = Math.max(...tu.scales);
    this.zRing = new Float64Array(maxScale);
    this.zSums = new Float64Array(tu.scales.length);
    this.zVar = new Float64Array(tu.scales.length).fill(NaN);
    this.zSeen = new Float64Array(tu.scales.length);
    this.zMean = new Float64Array(tu.scales.length);
    this.correction = Math.log10(tu.scales.length);
    // a statistic this small has a surprise ≤ 0 after the correction, calibrated or not: no tail to compute
    this.zeroBelow = this.correction > 0 ? probitFromLogTail(-Math.LN2 - this.correction * Math.LN10) : 0;
    this.tails = tu.scales.map((w) => new TailCounter(1 / tu.tailSpan, tu.tailPower, w === 1 ? tu.routine : 0));
  }

  /**
   * Rows the engine learns from before it judges any: at least `warmup`, and with a daily season two
   * days of rows (at most 576). The rule `readiness` reports to users ("still learning until ...").
   */
  static warmupRows(resolutionMs: number, tuning: Partial<Tuning> = {}): number {
    const tu = { ...DEFAULT_TUNING, ...tuning };
    const perDay = DAY_MS / Math.max(1, resolutionMs);
    const day = Number.isInteger(perDay) && perDay >= 4 && perDay * tu.maxDays <= MAX_RING ? perDay : 0;
    return Math.max(tu.warmup, Math.min(2 * day, 576));
  }

  /** The forecaster currently giving `expected`: level4, level96, daily or weekly (diagnostics). */
  get forecaster(): string {
    return this.fc[this.best]!.name;
  }

  /** Still in the warm-up: the next row is not judged. */
  get learning(): boolean {
    return this.n < this.warmup;
  }

  /** The alert level, and whether an episode is open (alerting or cooling down). */
  get alertLevel(): number {
    return this.threshold;
  }

  get episodeOpen(): boolean {
    return this.episodes.direction !== 0;
  }

  /** The direction of the burst under way (an open episode, not cooling down), else 0. */
  get activeDirection(): 1 | -1 | 0 {
    return this.episodes.active ? this.episodes.direction : 0;
  }

  /** Opens an episode now (an early look at a row saw the burst); the row's own push then continues it. */
  announce(direction: 1 | -1, excess: number): boolean {
    return this.episodes.announce(direction, excess);
  }

  /**
   * An early look at the row starting at t, of which `fraction` has been seen with the partial value
   * `partial` (counts: the sum so far; other series: the mean so far, on the row's scale): the forecast
   * for the whole row, the signed z of the part seen against that share of it, and the surprise of
   * that z on the one-row scale (calibrated, with the same correction), in one object reused from call to
   * call. Learns nothing.
   */
  preview(t: number, partial: number, fraction: number): Preview | null {
    if (Number.isNaN(this.t0)) return null;
    const idx = Math.round((t - this.t0) / this.res);
    this.forecast(idx);
    const best = this.giving();
    if (Number.isNaN(best.pred)) return null;
    const mu = best.pred;
    // a part of a row is noisier than the row: the look takes the larger of the hour-of-day and the
    // overall scale, so a quiet hour's scale (learnt from few rows) does not make noise look like a burst
    const scale = Math.max(best.scale, this.scaleOf(best, mu, false));
    let z: number;
    if (this.integerOnly && Number.isInteger(partial) && partial >= 0) {
      const m = Math.max(mu, 0.05);
      const phi = Math.max(0, (scale * scale - m) / (m * m));
      z = countZ(partial, m * fraction, phi, this.tu.exactMax);
    } else z = ((partial - mu) / scale) * Math.sqrt(fraction);
    const s = -(this.tails[0]!.peek(z, this.tu.calibrate, this.zeroBelow) + Math.LN2) / Math.LN10 - this.correction;
    const v = lookAt;
    v.expected = this.integerOnly ? Math.max(mu, 0) : mu;
    v.z = z;
    v.surprise = Math.max(0, s);
    return v;
  }

  /**
   * Scores one row (rows in time order) and then learns from it. The score is written into `out`, and
   * the tone's into `toneOut` (each new unless given: a caller that uses each score before the next push
   * can give the same ones every time). judge() gives the same in `verdict`, with no object at all.
   */
  push(p: SeriesPoint, out: SeriesScore = blankScore(), toneOut?: ToneScore): SeriesScore {
    const sentiment = p.sentiment ?? null;
    const n = sentiment === null ? 0 : (p.n ?? 1);
    setRow(p.t, p.value, sentiment === null ? NaN : sentiment, n, n > 0 ? (p.sentimentSq ?? NaN) : 0);
    this.judge();
    return scoreOf(p.t, p.value, out, toneOut);
  }

  /**
   * push, in one function over the engine's own state: the row in `row` (setRow), the verdict written
   * into `verdict`. Forecast, point residual, evidence, calibration, alert, tone, then learning; the
   * rare parts (the exact count tail, a tail beyond the cut, a cycle's model choice) are calls. Numbers
   * go in and out through typed arrays: V8 boxes a double passed to or returned from a call it does
   * not inline.
   */
  judge(): void {
    const tu = this.tu;
    const t = row[R_T]!;
    const x = row[R_VALUE]!;
    const sentiment = row[R_SENTIMENT]!;
    if (Number.isNaN(this.t0)) this.t0 = t;
    const idx = Math.round((t - this.t0) / this.res);
    const learning = this.n < this.warmup;
    this.forecast(idx);

    const countMode = this.integerOnly && Number.isInteger(x) && x >= 0;
    this.countMode = countMode;
    const fc = this.fc;
    const best = this.giving();
    let score = 0;
    let flags = learning ? F_LEARNING : 0;
    let expected = NaN;
    let z = 0;
    if (!Number.isNaN(best.pred)) {
      const mu = best.pred;
      if (countMode) {
        const m = Math.max(mu, 0.05);
        const phi = Math.max(0, (best.scale * best.scale - m) / (m * m));
        // countZ: Wilson–Hilferty, or the exact tail for small counts away from the middle
        if (x !== m) {
          const c = (m + phi * m * m) / (9 * m * m);
          z = (Math.cbrt(x / m) - (1 - c)) / Math.sqrt(c);
          if (!(Math.max(x, m) > tu.exactMax || (Math.abs(z) <= 1.5 && m >= 5))) z = +exactCountZ(x, m, phi);
        }
      } else z = (x - mu) / best.scale;
      // evidence: z joins the window means; the strongest calibrated surprise (−log10 p, corrected)
      // wins. A window mean is standardised by its learnt spread, never below that of independent rows.
      const zc = Math.max(-tu.zClip, Math.min(tu.zClip, z));
      const zRing = this.zRing;
      const size = zRing.length;
      const zPos = (this.zPos + 1) % size;
      this.zPos = zPos;
      const scales = tu.scales;
      let s = 0;
      let sign: 1 | -1 | 0 = 0;
      for (let j = 0; j < scales.length; j++) {
        const w = scales[j]!;
        let u = z;
        if (w > 1) {
          const sum = this.zSums[j]! - zRing[(zPos - w + size * 2) % size]! + zc;
          this.zSums[j] = sum;
          const m = sum / w;
          this.zMean[j] = m;
          if (this.zSeen[j]! < w * 4) continue;
          u = m / Math.sqrt(Math.max(this.zVar[j]!, 1 / w));
        }
        // calibrated against the series' own tail (peek), then counted (see TailCounter)
        const tail = this.tails[j]!;
        const a = Math.abs(u);
        const lv = levelBelow(a);
        const lp = a <= this.zeroBelow ? 0 : +tail.beyond(u, lv, tu.calibrate);
        tail.inflate *= tail.grow;
        if (tail.inflate > 1e200) tail.rescale();
        const up = u >= 0;
        const add = tail.alpha * tail.inflate;
        const counts = up ? tail.up : tail.down;
        for (let k = up === tail.prev >= 0 ? tail.prevLevel + 1 : 0; k <= lv; k++) counts[k]! += add;
        tail.prev = u;
        tail.prevLevel = lv;
        const sj = -(lp + Math.LN2) / Math.LN10 - this.correction;
        if (sj > s) {
          s = sj;
          sign = u > 0 ? 1 : u < 0 ? -1 : 0;
        }
      }
      zRing[zPos] = zc;
      this.evidenceSign = sign;
      if (!learning) {
        expected = countMode ? Math.max(mu, 0) : mu;
        flags |= z > 0 ? F_UP : z < 0 ? F_DOWN : 0;
        score = Math.min(s, SCORE_CAP);
        // the burst's direction is that of its strongest evidence (a window can still lean up while
        // this row is back below the forecast)
        const alert = this.episodes.push(s, sign, Math.abs(x - expected));
        flags |= alert === 'onset' ? F_ONSET : alert === 'growth' ? F_GROWTH : 0;
      }
    }
    // tone: once a row has carried sentiment, every row moves its windows on (time passes without items)
    if (!Number.isNaN(sentiment)) this.hasTone = true;
    if (this.hasTone) {
      const k = Number.isNaN(sentiment) ? 0 : row[R_N]!;
      row[R_N] = k;
      row[R_SUM] = k > 0 ? sentiment * k : 0;
      if (!(k > 0)) row[R_SQ] = 0;
      this.tone.judge();
      if (!learning) flags |= F_TONE;
    }
    const outlier = Math.abs(z) >= tu.freezeZ;
    this.frozenRun = outlier ? this.frozenRun + 1 : 0;
    const frozen = outlier && this.frozenRun <= tu.maxFreeze;

    // learning: each forecaster's errors and scales, the evidence spreads, the model choice, the levels
    this.phase(idx);
    const slot = this.slot;
    const slotAlpha = tu.slotAlpha / this.slotRows;
    const clip = tu.clip;
    // low counts: forecasters race on the Poisson deviance, a proper score for the mean (on absolute
    // errors a median-like forecast wins, and the median of a sparse count series is 0)
    const levels = this.levels;
    const slow = levels[levels.length - 1]!;
    const sparse = this.integerOnly && (this.sparse ? slow < SPARSE_LEVEL * 1.5 : slow < SPARSE_LEVEL / 1.5);
    if (sparse !== this.sparse) this.resetCycles(sparse);
    for (let i = 0; i < fc.length; i++) {
      const c = fc[i]!;
      const pred = c.pred;
      if (Number.isNaN(pred)) continue;
      const seen = ++c.seen;
      const ae = Math.abs(x - pred);
      const mad = c.mad;
      // (the spread used to clip: the scale, and for counts at least the Poisson sd)
      const ec = Math.min(ae, clip * (Number.isNaN(mad) ? ae : countMode ? Math.max(c.scale, Math.sqrt(Math.max(pred, 0.25))) : c.scale));
      const first = 1 / seen;
      const err = c.err;
      c.err = Number.isNaN(err) ? ec : err + Math.max(this.selAlpha, first) * (ec - err);
      if (sparse) {
        // the Poisson deviance of x against the forecast, capped (a proper score for the mean)
        const mp = Math.max(pred, 0.05);
        c.cycSum += Math.min(2 * ((x > 0 ? x * Math.log(x / mp) : 0) - (x - mp)), clip * clip);
      } else c.cycSum += ec;
      c.cycN++;
      const mae = c.mae;
      c.mae = Number.isNaN(mae) ? ae : mae + Math.max(this.scaleAlpha, first) * (ae - mae);
      if (frozen) continue;
      const learnt = ++c.learnt;
      c.mad = Number.isNaN(mad) ? ae : mad + Math.max(this.scaleAlpha, 1 / learnt) * (ec - mad);
      const slotMad = c.slotMad;
      if (slotMad) {
        const old = slotMad[slot]!;
        slotMad[slot] = Number.isNaN(old) ? ec : old + slotAlpha * (ec - old);
      }
    }
    if (!frozen) {
      // the spread of each window mean (clipped, so a burst does not widen it at once)
      for (let j = 0; j < tu.scales.length; j++) {
        const w = tu.scales[j]!;
        if (w === 1) continue;
        const m = this.zMean[j]!;
        const v = this.zVar[j]!;
        const mc = Math.min(Math.abs(m), clip * (Number.isNaN(v) ? 1 : Math.sqrt(v)));
        this.zVar[j] = Number.isNaN(v) ? Math.max(mc * mc, 1 / w) : v + Math.max(this.scaleAlpha, 1 / (this.zSeen[j]! + 1)) * (mc * mc - v);
        this.zSeen[j]!++;
      }
    }
    // model choice: at a cycle's end, or while the best has no complete cycle yet
    if (Math.floor(idx / this.cycleLen) !== this.cycle || !fc[this.best]!.cycles.length) this.select(idx);
    // the levels do not learn from an outlier either (a burst must not leave a raised level behind it)
    for (let i = 0; i < tu.levelSpans.length && !frozen; i++) {
      const l = levels[i]!;
      if (Number.isNaN(l)) levels[i] = x;
      else {
        const c = fc[i]!;
        const sp = clip * (Number.isNaN(c.mad) ? Math.abs(x - l) : countMode ? Math.max(c.scale, Math.sqrt(Math.max(c.pred, 0.25))) : c.scale);
        levels[i] = l + Math.max(-sp, Math.min(sp, x - l)) / tu.levelSpans[i]!;
      }
    }
    if (!(Number.isInteger(x) && x >= 0)) this.integerOnly = false;
    this.absMean = Number.isNaN(this.absMean) ? Math.abs(x) : this.absMean + this.scaleAlpha * (Math.abs(x) - this.absMean);
    // the ring keeps the row, and smooths the row before it: the mean of 3 for sparse counts (which
    // Poisson noise needs), else the median of 3 (which keeps a sharp daily edge sharp)
    if (idx >= 0) {
      const ringSize = this.ringVal.length;
      const prev = this.lastIdx;
      if (prev === idx - 1) {
        const a = this.at(prev - 1, false);
        const b = this.at(prev, false);
        if (!Number.isNaN(a) && !Number.isNaN(b)) this.ringSmooth[prev % ringSize] = this.integerOnly && this.sparse ? (a + b + x) / 3 : Math.max(Math.min(a, b), Math.min(Math.max(a, b), x));
      }
      const r = idx % ringSize;
      this.ringVal[r] = x;
      this.ringSmooth[r] = NaN;
      this.ringIdx[r] = idx;
      this.lastIdx = idx;
    }
    this.n++;
    if (!learning && this.episodes.active) flags |= F_MOMENT | (this.episodes.direction > 0 ? F_EPISODE_UP : 0);
    verdict[V_EXPECTED] = expected;
    verdict[V_SCORE] = score;
    verdict[V_FLAGS] = flags;
  }

  /**
   * The forecaster that gives `expected`: the chosen one, or, when it has no forecast for this row (a
   * seasonal one whose earlier days or weeks are all missing: a series' rows left out over more than a
   * week, a topic's buckets nobody fetched), the slowest level, which holds the level from before them:
   * a row after such a gap is judged, not left with no forecast.
   */
  private giving(): Forecaster {
    const best = this.fc[this.best]!;
    return Number.isNaN(best.pred) ? this.fc[this.levels.length - 1]! : best;
  }

  /** Sparse or not, the forecasters' cycle errors are on another scale: model choice starts again. */
  private resetCycles(sparse: boolean): void {
    this.sparse = sparse;
    for (const c of this.fc) {
      c.cycles.length = 0;
      c.cycSum = 0;
      c.cycN = 0;
    }
  }

  // ---------------------------------------------------------------- forecasts

  /** The (smoothed, if available) value of row idx, NaN if not in the ring. */
  private at(idx: number, smooth: boolean): number {
    if (idx < 0) return NaN;
    const slot = idx % this.ringVal.length;
    if (this.ringIdx[slot] !== idx) return NaN;
    const s = this.ringSmooth[slot]!;
    return smooth && !Number.isNaN(s) ? s : this.ringVal[slot]!;
  }

  /**
   * Each forecaster's forecast for row idx and its residual scale (scaleOf, per hour of day), in one
   * function with no call that returns a number (V8 would box it): the seasonal ones a trimmed mean of
   * the same phase in up to maxDays / maxWeeks earlier periods (3-row smoothed): the median of up to
   * 3 values, the mean without the extremes of 4 or more (one pass, no sort).
   */
  private forecast(idx: number): void {
    // (early looks at a step forecast it, and then its push: nothing is learnt in between)
    if (idx === this.forecastIdx && this.n === this.forecastN) return;
    this.forecastIdx = idx;
    this.forecastN = this.n;
    const tu = this.tu;
    this.phase(idx);
    const fc = this.fc;
    const vals = this.scratch;
    const ringIdx = this.ringIdx;
    const size = ringIdx.length;
    for (let i = 0; i < fc.length; i++) {
      const c = fc[i]!;
      let pred: number;
      if (c.kind === 'level') pred = this.levels[i]!;
      else {
        const daily = c.kind === 'daily';
        const period = daily ? this.day : this.week;
        const max = daily ? tu.maxDays : tu.maxWeeks;
        // the ring holds more than max·period rows, so the slots step back from idx's without a division each
        let n = 0;
        let slot = idx % size;
        for (let k = 1; k <= max; k++) {
          const j = idx - k * period;
          if (j < 0) break;
          slot -= period;
          if (slot < 0) slot += size;
          if (ringIdx[slot] !== j) continue;
          const sm = this.ringSmooth[slot]!;
          vals[n++] = Number.isNaN(sm) ? this.ringVal[slot]! : sm;
        }
        if (n === 0) pred = NaN;
        else if (n === 1) pred = vals[0]!;
        else if (n === 2) pred = (vals[0]! + vals[1]!) / 2;
        else if (n === 3) {
          const a = vals[0]!;
          const b = vals[1]!;
          pred = Math.max(Math.min(a, b), Math.min(Math.max(a, b), vals[2]!)); // median3
        }
        else {
          let lo = vals[0]!;
          let hi = lo;
          let sum = lo;
          for (let k = 1; k < n; k++) {
            const v = vals[k]!;
            sum += v;
            if (v < lo) lo = v;
            else if (v > hi) hi = v;
          }
          pred = (sum - lo - hi) / (n - 2);
        }
      }
      c.pred = pred;
      if (Number.isNaN(pred)) continue;
      // scaleOf(c, pred), by hour slot
      const mad = c.mad;
      let sc = 1.2533 * (Number.isNaN(mad) ? 0 : mad);
      const slotMad = c.slotMad;
      if (slotMad) {
        const a = slotMad[this.slotLo]!;
        const b = slotMad[this.slotHi]!;
        const v = Number.isNaN(a) ? b : Number.isNaN(b) ? a : a + this.slotFrac * (b - a);
        if (!Number.isNaN(v)) sc = Math.max(tu.slotBlend * 1.2533 * v + (1 - tu.slotBlend) * sc, tu.slotFloor * sc);
      }
      // (x || 0 written out: a number or the small integer 0 would be a boxed number in optimised code)
      const mae = c.mae;
      const absMean = this.absMean;
      c.scale = Math.max(sc, tu.maeFloor * (mae === mae && mae !== 0 ? mae : 0), 1e-3 * Math.abs(pred), 1e-3 * (absMean === absMean && absMean !== 0 ? absMean : 0), 1e-9);
    }
  }

  /** Where row idx falls in the day: its hour slot, and the neighbouring slots scales are interpolated between. */
  private phase(idx: number): void {
    if (idx === this.phaseIdx || !this.slots) return;
    this.phaseIdx = idx;
    const inDay = ((idx % this.day) + this.day) % this.day;
    this.slot = Math.floor(inDay / this.slotRows);
    const pos = inDay / this.slotRows - 0.5;
    const lo = Math.floor(pos);
    this.slotLo = (lo + this.slots) % this.slots;
    this.slotHi = (lo + 1) % this.slots;
    this.slotFrac = pos - lo;
  }

  // ---------------------------------------------------------------- learning

  /**
   * Model choice: each forecaster's mean clipped error per cycle (a day, or 16 rows); the lowest
   * median over the last few cycles wins, by a margin. Until a cycle is complete, the running error.
   */
  private select(idx: number): void {
    const tu = this.tu;
    const cycle = Math.floor(idx / this.cycleLen);
    const closing = cycle !== this.cycle;
    this.cycle = cycle;
    if (closing) {
      for (const c of this.fc) {
        if (c.cycN >= this.cycleLen / 2) {
          c.cycles.push(c.cycSum / c.cycN);
          if (c.cycles.length > tu.selCycles) c.cycles.shift();
        }
        c.cycSum = 0;
        c.cycN = 0;
      }
    } else if (this.fc[this.best]!.cycles.length) return;
    let b = this.best;
    for (let i = 0; i < this.fc.length; i++) {
      const c = this.fc[i]!;
      if (i === b || c.seen < c.minSeen || Number.isNaN(c.err)) continue;
      const bc = this.fc[b]!;
      const cc = c.cycles.length > 0;
      const bcc = bc.cycles.length > 0;
      if (Number.isNaN(bc.err) || (cc && !bcc) || (cc === bcc && selErr(c) < selErr(bc) * tu.hysteresis)) b = i;
    }
    this.best = b;
  }

  // ---------------------------------------------------------------- scale

  /** Residual scale (≈ standard deviation) of a forecaster: per hour of day if learnt, with floors. */
  private scaleOf(c: Forecaster, level: number, bySlot = true): number {
    const tu = this.tu;
    let s = 1.2533 * (Number.isNaN(c.mad) ? 0 : c.mad);
    if (c.slotMad && bySlot) {
      // interpolate between the neighbouring hour slots (of the row phase() last placed)
      const a = c.slotMad[this.slotLo]!;
      const b = c.slotMad[this.slotHi]!;
      const v = Number.isNaN(a) ? b : Number.isNaN(b) ? a : a + this.slotFrac * (b - a);
      if (!Number.isNaN(v)) s = Math.max(tu.slotBlend * 1.2533 * v + (1 - tu.slotBlend) * s, tu.slotFloor * s);
    }
    return Math.max(s, tu.maeFloor * (c.mae || 0), 1e-3 * Math.abs(level), 1e-3 * (this.absMean || 0), 1e-9);
  }
}

/** A forecaster's error for model choice: the median of its recent cycles', else its running error. */
function selErr(c: Forecaster): number {
  return c.cycles.length ? medianOf(c.cycles) : c.err;
}

let sorted = new Float64Array(16);
/** The median (sorted in a scratch array reused from call to call: no garbage per row). */
function medianOf(xs: readonly number[]): number {
  const n = xs.length;
  if (sorted.length < n) sorted = new Float64Array(n * 2);
  const s = sorted;
  // insertion sort: a handful of values, stable, the order sort((a, b) => a - b) gives
  for (let i = 0; i < n; i++) {
    const v = xs[i]!;
    let j = i;
    for (; j > 0 && s[j - 1]! > v; j--) s[j] = s[j - 1]!;
    s[j] = v;
  }
  return n % 2 ? s[n >> 1]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * Whether rows look like counts of events (mentions, requests…): all non-negative integers that vary
 * from row to row at least as Poisson counts do. Half the mean squared change over the mean is about 1
 * for Poisson counts (more when overdispersed, as mentions are), with a standard error of √(3/(n−1));
 * below 1 − 2.33 standard errors (a one-sided 1% test) the rows vary too little to be counts — speeds,
 * a flat line, a square wave are integer measurements.
 */
export function looksLikeCounts(points: readonly { value: number }[]): boolean {
  if (points.length < 2) return false;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < points.length; i++) {
    const v = points[i]!.value;
    if (!(Number.isInteger(v) && v >= 0)) return false;
    sum += v;
    if (i > 0) sq += (v - points[i - 1]!.value) ** 2;
  }
  const n = points.length;
  return sq / (n - 1) / 2 >= (1 - 2.33 * Math.sqrt(3 / (n - 1))) * (sum / n);
}

/**
 * The engine on rows of any resolution. Rows of 15 minutes or more, and rows that are not counts, are
 * judged one by one (a finer series at a level log10(rows per quarter hour) higher). Finer counts
 * (5-minute mention counts, say; `counts: true`) are judged the way `moments` judges its quarter-hour
 * buckets, so a series you bring and a topic's stories get the same judgement: the model learns from
 * and scores steps of about 15 minutes (the smallest whole number of rows that reaches 15 minutes,
 * aligned to the clock), holding the sum of a step's counts (should a later row not be a count: the
 * mean of the step's rows, scaled to the step). Each row is still answered as it comes, without
 * waiting for its step to end:
 * - the row that ends a step gets the step's judgement (score, alert, tone);
 * - an earlier row gets an early look: the part of the step seen so far against that share of the
 *   forecast, on the one-row scale, at an alert level raised by log10(rows per step) for the extra
 *   looks. When an early look alerts, the burst's episode opens then; the step's own judgement
 *   continues it (and alerts again only when the burst has doubled).
 * `expected` is per row (the step's forecast shared among its rows).
 */
export class SeriesDetector {
  private readonly model: RowModel;
  private readonly res: number;
  /** Rows per step, and the step (ms). */
  private readonly k: number;
  private readonly step: number;
  private readonly lookLevel: number;
  private bucket = NaN;
  private rows = 0;
  private sum = 0;
  private integerOnly = true;
  private toneN = 0;
  private toneSum = 0;
  private toneSq = 0;
  private toneSqKnown = true;
  private toneSeen = false;

  constructor(opts: SeriesOptions) {
    this.res = Math.max(1, opts.resolutionMs);
    this.k = opts.counts ? SeriesDetector.rowsPerStep(this.res) : 1;
    this.step = this.res * this.k;
    this.model = new RowModel({ ...opts, resolutionMs: this.step });
    this.lookLevel = this.model.alertLevel + Math.log10(this.k);
  }

  /** Rows per step of the model: 1 from 15 minutes up, else enough rows to reach 15 minutes. */
  static rowsPerStep(resolutionMs: number): number {
    const res = Math.max(1, resolutionMs);
    return res >= ALERT_STEP_MS ? 1 : Math.ceil(ALERT_STEP_MS / res);
  }

  /**
   * Rows the engine learns from before it judges any: at least `warmup` steps, and with a daily season
   * two days of steps (at most 576). The rule `readiness` reports to users ("still learning until ...").
   */
  static warmupRows(resolutionMs: number, tuning: Partial<Tuning> = {}, counts = true): number {
    const k = counts ? SeriesDetector.rowsPerStep(resolutionMs) : 1;
    return RowModel.warmupRows(Math.max(1, resolutionMs) * k, tuning) * k;
  }

  /** The forecaster currently giving `expected`: level4, level96, daily or weekly (diagnostics). */
  get forecaster(): string {
    return this.model.forecaster;
  }

  /**
   * Scores one row (rows in time order) and then learns from it. With `out` and `toneOut` the score is
   * written into them instead of new objects (see RowModel.push): for callers that use each score
   * before the next push.
   */
  push(p: SeriesPoint, out?: SeriesScore, toneOut?: ToneScore): SeriesScore {
    if (this.k === 1) return this.model.push(p, out, toneOut);
    this.score(p.t, p.value, p.sentiment ?? NaN, p.sentiment !== undefined, p.n ?? 1, p.sentimentSq ?? NaN);
    return scoreOf(p.t, p.value, out ?? blankScore(), toneOut);
  }

  /**
   * push, with no object: the verdict in `verdict` (see verdict.ts). `sentiment` is the row's mean
   * sentiment (NaN: null or absent), `seen` whether the row has a sentiment at all (null included: a
   * step's tone is then judged, with no items), `n` its items (p.n ?? 1), `sq` their sum of squares
   * (NaN: not known). `detect`'s worker scores its batches so (series-batch.ts).
   */
  score(t: number, value: number, sentiment: number, seen: boolean, n: number, sq: number): void {
    setRow(t, value, sentiment, n, sq);
    this.scoreRow(seen);
  }

  /**
   * score() of the row already in `row` (setRow: the same five numbers), so that a caller with the row in
   * typed arrays passes no double: V8 boxes a double passed to a call it does not inline.
   */
  scoreRow(seen: boolean): void {
    if (this.k === 1) {
      // (RowModel.push's row: no items without a sentiment, no sum of squares without items)
      if (Number.isNaN(row[R_SENTIMENT]!)) {
        row[R_N] = 0;
        row[R_SQ] = 0;
      } else if (!(row[R_N]! > 0)) row[R_SQ] = 0;
      this.model.judge();
      return;
    }
    const t = row[R_T]!;
    const value = row[R_VALUE]!;
    const sentiment = row[R_SENTIMENT]!;
    const n = row[R_N]!;
    const sq = row[R_SQ]!;
    const b = Math.floor(t / this.step) * this.step;
    // a step whose last rows never came is judged when the next step begins; its alert is not lost
    let late = 0;
    if (this.rows > 0 && b !== this.bucket) {
      this.close();
      late = verdict[V_FLAGS]! & (F_ONSET | F_GROWTH);
    }
    if (this.rows === 0) this.bucket = b;
    this.rows++;
    this.sum += value;
    if (!(Number.isInteger(value) && value >= 0)) this.integerOnly = false;
    if (seen) this.toneSeen = true;
    if (!Number.isNaN(sentiment)) {
      this.toneN += n;
      this.toneSum += sentiment * n;
      if (Number.isNaN(sq)) this.toneSqKnown = false;
      else this.toneSq += sq;
    }
    if (t + this.res >= b + this.step) {
      // the row that ends a step: the step's judgement, its forecast shared among its rows
      this.close();
      verdict[V_EXPECTED] = verdict[V_EXPECTED]! / this.k;
    } else this.look();
    if (late !== 0 && (verdict[V_FLAGS]! & (F_ONSET | F_GROWTH)) === 0) verdict[V_FLAGS] = verdict[V_FLAGS]! | late;
  }

  /**
   * push, with the verdict written into `verdict` (see verdict.ts) instead of objects: `sentiment` the
   * row's mean sentiment (NaN: none), `n` its items (given with it), `sq` their sum of squares (NaN: not
   * known). Rows of a whole step (`moments`' buckets) go straight to the model's judge.
   */
  judge(t: number, value: number, sentiment: number, n: number, sq: number): void {
    if (this.k === 1) {
      setRow(t, value, sentiment, n, sq);
      this.model.judge();
      return;
    }
    this.score(t, value, sentiment, true, n, sq);
  }

  /**
   * The forecast for the row starting at t (rows of a whole step), learning nothing; null while there is
   * none. For a row whose count is known only in part (moments' buckets nobody fetched, see detect.ts).
   */
  expectedAt(t: number): number | null {
    if (this.k !== 1) return null;
    const v = this.model.preview(t, 0, 1);
    return v === null ? null : v.expected;
  }

  /** The open step judged as one row of the model (its verdict in `verdict`). */
  private close(): void {
    const value = this.integerOnly ? this.sum : (this.sum / this.rows) * this.k;
    let sentiment = NaN;
    let n = 0;
    let sq = 0;
    if (this.toneSeen && this.toneN > 0) {
      sentiment = this.toneSum / this.toneN;
      n = this.toneN;
      sq = this.toneSqKnown ? this.toneSq : NaN;
    }
    const t = this.bucket;
    this.rows = 0;
    this.sum = 0;
    this.toneN = 0;
    this.toneSum = 0;
    this.toneSq = 0;
    this.toneSqKnown = true;
    setRow(t, value, sentiment, n, sq);
    this.model.judge();
  }

  /** An early look at the open step (see the class comment), its verdict in `verdict`. */
  private look(): void {
    const model = this.model;
    const learning = model.learning;
    const partial = this.integerOnly ? this.sum : (this.sum / this.rows) * this.k;
    const v = learning ? null : model.preview(this.bucket, partial, this.rows / this.k);
    let f = learning ? F_LEARNING : 0;
    const dir = v === null || v.z === 0 ? 0 : v.z > 0 ? 1 : -1;
    if (v !== null && dir !== 0 && !model.episodeOpen && v.surprise >= this.lookLevel) {
      if (model.announce(dir, Math.abs(partial - v.expected * (this.integerOnly ? this.rows / this.k : 1)))) f |= F_ONSET;
    }
    const burst = learning ? 0 : model.activeDirection;
    f |= dir > 0 ? F_UP : dir < 0 ? F_DOWN : 0;
    if (burst !== 0) f |= F_MOMENT | (burst > 0 ? F_EPISODE_UP : 0);
    verdict[V_EXPECTED] = v === null ? NaN : v.expected / this.k;
    verdict[V_SCORE] = v === null ? 0 : Math.min(v.surprise, SCORE_CAP);
    verdict[V_FLAGS] = f;
  }
}

/** A score to fill (SeriesDetector.push's `out`). */
export function blankScore(): SeriesScore {
  // Each field first holds a value of every kind it will hold (a double, a string, an object), then its
  // blank: V8 then gives the fields their widest representation at once. Widened later, by the engine's
  // optimised code, every function that stores to them was thrown away and compiled again.
  const s: SeriesScore = { t: 0.5, value: 0.5, expected: 0.5, score: 0.5, moment: false, episode: 'up', alert: 'onset', learning: true, direction: 'up', tone: blankTone() };
  s.t = 0;
  s.value = 0;
  s.expected = null;
  s.score = 0;
  s.episode = null;
  s.alert = null;
  s.direction = null;
  s.tone = null;
  return s;
}

/** `out` (and `toneOut`, if the row has a tone) filled from `verdict`. */
function scoreOf(t: number, value: number, out: SeriesScore, toneOut?: ToneScore): SeriesScore {
  const f = verdict[V_FLAGS]!;
  const e = verdict[V_EXPECTED]!;
  out.t = t;
  out.value = value;
  out.expected = Number.isNaN(e) ? null : e;
  out.score = verdict[V_SCORE]!;
  out.moment = (f & F_MOMENT) !== 0;
  out.episode = f & F_MOMENT ? (f & F_EPISODE_UP ? 'up' : 'down') : null;
  out.alert = f & F_ONSET ? 'onset' : f & F_GROWTH ? 'growth' : null;
  out.learning = (f & F_LEARNING) !== 0;
  out.direction = f & F_UP ? 'up' : f & F_DOWN ? 'down' : null;
  out.tone = f & F_TONE ? toneOf(toneOut ?? blankTone()) : null;
  return out;
}
