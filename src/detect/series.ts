import type { Sensitivity } from '../config/schema.js';
import { logIncompleteBeta, logNormalUpperTail } from './stats.js';

/**
 * Generic series detector: pure, causal and streaming — one pass, one score per row, and what is
 * reported for a row depends only on that row and the rows before it. Memory is bounded (ring buffers
 * of a few weeks of rows at most), so a million-row series streams through.
 *
 * For every row:
 *
 * 1. Expected value. Forecasters run side by side: a fast and a slow robust level, the same time of
 *    day on earlier days and the same time on earlier weeks (once a day or a week of history exists;
 *    each a trimmed mean of median-of-3 neighbourhoods, so one odd day or spike does not count), and
 *    those seasonal forecasts corrected by their recent error (multiplicatively for non-negative
 *    series). The forecaster with the lowest median error over the last few days wins and gives
 *    `expected` — one odd day does not change the model.
 * 2. Point residual. Non-negative integer series (counts) are judged by a negative binomial with the
 *    overdispersion learnt from the residuals — exact tail for small counts, so a quiet series' single
 *    item is no surprise; others by a robust scale (EW mean absolute residual). Both are learnt per
 *    hour of day when the series has a daily rhythm, skip rows that are themselves outliers, and give
 *    a signed normal score z.
 * 3. Evidence over time. The mean z over the last w rows (w = 1, 4, 16, 64) is standardised by its own
 *    learnt spread, so a sustained shift or a burst of spikes counts as well as a single outlier.
 * 4. Calibration. Each of those statistics is turned into a tail probability against the series' own
 *    history: the normal tail, unless the series has shown more such episodes than that allows (a
 *    series that spikes every hour is not surprised by a spike). The strongest scale wins after a
 *    Bonferroni correction: surprise S = −log10 p.
 * 5. Novelty. Once an alarm-size surprise has been reported, rows that merely keep it up score low; a
 *    bigger surprise is reported in full. score = 1 − 2^(−S/4), in [0, 1): S = 4 (p = 1e-4) scores 0.5
 *    for every series; `moment` is score ≥ the sensitivity's threshold.
 */

export interface SeriesPoint {
  /** Epoch milliseconds. */
  t: number;
  value: number;
  sentiment?: number | null;
  n?: number | null;
}

export interface SeriesScore {
  t: number;
  value: number;
  /** The forecast for this row; null while learning. */
  expected: number | null;
  /** 0..1, higher = more surprising; the same scale for every series. */
  score: number;
  /** score ≥ the sensitivity's threshold: a moment starts or escalates here. */
  moment: boolean;
  /** True during the warm-up: no forecast and no score yet. */
  learning: boolean;
  /** Side of `expected` the value is on (null while learning or when exactly as expected). */
  direction: 'up' | 'down' | null;
}

export interface SeriesOptions {
  resolutionMs: number;
  sensitivity: Sensitivity;
  /** Internal knobs, for evaluation only. */
  tuning?: Partial<Tuning>;
}

export interface Tuning {
  /** Window lengths (rows) over which evidence accumulates. */
  scales: number[];
  /** Residuals are clipped at this many scales when learning. */
  clip: number;
  /** Spans (rows) of the robust level forecasters. */
  levelSpans: number[];
  /** Span (rows) of the error correction of the seasonal forecasters; 0 = none. */
  adjustSpan: number;
  /** Earlier days / weeks the seasonal forecasters look back. */
  maxDays: number;
  maxWeeks: number;
  /** Completed cycles (days) over which forecasters are compared, and the margin to switch. */
  selCycles: number;
  hysteresis: number;
  /** Minimum warm-up rows. */
  warmup: number;
  /** Rows with |z| at least this do not teach the scale (a long run does, after maxFreeze rows). */
  freezeZ: number;
  maxFreeze: number;
  /** Learn scale and overdispersion per hour of day; how fast; lower bound relative to the global. */
  slotScale: boolean;
  slotAlpha: number;
  slotFloor: number;
  /** Count tail: exact negative binomial up to this count, Wilson–Hilferty above. */
  exactMax: number;
  /** Window means average calibrated point scores (true) or raw z (false). */
  windowOnCalibrated: boolean;
  /** Window means freeze on their own outliers (true) or on the point row's (false). */
  windowFreeze: boolean;
  /** Count overdispersion from squared residuals (true) or from the robust scale (false). */
  momentPhi: boolean;
  /** Calibration: on/off, memory (rows), power-law tail beyond the largest level seen. */
  calibrate: boolean;
  tailSpan: number;
  tailPower: number;
  /** Episodes within the tail memory below which an extreme is still an anomaly, not routine. */
  routine: number;
  /** The scale is at least this fraction of the forecaster's unclipped mean absolute error. */
  maeFloor: number;
  routineWindows: number;
  /** Prior tail before the series has shown its own: P(|z| ≥ c) = priorEps·(3/c)^priorPower (0 = normal). */
  priorEps: number;
  priorPower: number;
  /** Novelty: discount continuations once an alarm-size surprise has been reported. */
  novelty: boolean;
  alarmAt: number;
  margin: number;
  suppress: number;
  /** Memory (rows) of the novelty filter; 0 = one day, 12..288 rows. */
  memory: number;
  /** Surprise at which the score is 0.5. */
  scoreHalf: number;
  /** Clip for z entering the window means. */
  zClip: number;
}

const DEFAULT_TUNING: Tuning = {
  scales: [1, 4, 16, 64],
  clip: 4,
  levelSpans: [4, 96],
  adjustSpan: 0,
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
  exactMax: 200,
  momentPhi: false,
  windowFreeze: true,
  windowOnCalibrated: true,
  calibrate: true,
  tailSpan: 5000,
  tailPower: 3,
  priorEps: 0,
  routine: 0,
  maeFloor: 0.1,
  routineWindows: 0,
  priorPower: 4,
  novelty: true,
  alarmAt: 3,
  margin: 0.25,
  suppress: 0.1,
  memory: 0,
  scoreHalf: 4,
  zClip: 8,
};

/** Score thresholds per sensitivity: surprise 6, 4, 3 (p = 1e-6, 1e-4, 1e-3), as for topics. */
export const SERIES_THRESHOLDS: Record<Sensitivity, number> = {
  low: surpriseToScore(6),
  medium: surpriseToScore(4),
  high: surpriseToScore(3),
};

/** Maps a surprise S = −log10 p to [0, 1): 1 − 2^(−S/half). Monotone; S = half gives 0.5. */
export function surpriseToScore(s: number, half = 4): number {
  if (!(s > 0)) return 0;
  return 1 - Math.pow(2, -s / half);
}

const DAY_MS = 86_400_000;

/**
 * The series' resolution (ms): the most common gap between consecutive timestamps (to the second),
 * so missing rows and jitter do not change it; if the most common gap is a multiple of a smaller one
 * that is also common, the smaller one (every other row missing).
 */
export function inferResolution(points: readonly { t: number }[]): number {
  const counts = new Map<number, number>();
  let n = 0;
  for (let i = 1; i < points.length && n < 10_000; i++) {
    const d = points[i]!.t - points[i - 1]!.t;
    if (!(d > 0)) continue;
    const k = d >= 1000 ? Math.round(d / 1000) * 1000 : d;
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

/** The normal score z ≥ 0 whose upper tail has natural-log probability logP (logP ≤ ln 0.5). */
export function probitFromLogTail(logP: number): number {
  if (!(logP < Math.log(0.5))) return 0;
  let z = Math.sqrt(-2 * logP);
  z = Math.max(0, z - Math.log(4 * Math.PI * -logP) / (2 * z));
  // Newton on logQ(z) = logP, with d/dz logQ(z) = −φ(z)/Q(z)
  for (let i = 0; i < 6; i++) {
    const lq = logNormalUpperTail(z);
    const slope = -Math.exp(-0.5 * z * z - 0.5 * Math.log(2 * Math.PI) - lq);
    const step = (lq - logP) / slope;
    z = Math.max(0, z - step);
    if (Math.abs(step) < 1e-7) break;
  }
  return z;
}

/** ln P(X ≥ k) for X negative binomial with the given mean and size. */
function logNegBinomialUpper(k: number, mean: number, size: number): number {
  if (k <= 0) return 0;
  if (mean <= 0) return -Infinity;
  return logIncompleteBeta(mean / (mean + size), k, size);
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
 * (Var = m + phi·m²): the exact mid-p tail for small counts, the Wilson–Hilferty cube-root
 * approximation of the matching gamma for large ones (fast, and close where it matters).
 */
export function countZ(x: number, m: number, phi: number, exactMax = 200): number {
  if (x === m) return 0;
  if (Math.max(x, m) <= exactMax) {
    const size = phi > 1e-6 ? 1 / phi : 1e6;
    const logP =
      x > m
        ? logAddExp(logNegBinomialUpper(x, m, size), logNegBinomialUpper(x + 1, m, size)) - Math.LN2
        : logAddExp(logNegBinomialLower(x, m, size), logNegBinomialLower(x - 1, m, size)) - Math.LN2;
    const z = probitFromLogTail(Math.min(logP, Math.log(0.5)));
    return x > m ? z : -z;
  }
  const v = m + phi * m * m;
  const c = v / (9 * m * m); // 1 / (9 × gamma shape)
  return (Math.cbrt(x / m) - (1 - c)) / Math.sqrt(c);
}

/** The series' own tail frequencies are tracked at |z| = 2·1.25^k, up to 10^6. */
const TAIL_BASE = 2;
const TAIL_RATIO = 1.25;
const TAIL_LEVELS = Math.ceil(Math.log(5e5) / Math.log(TAIL_RATIO)) + 1;
const LOG_RATIO = Math.log(TAIL_RATIO);
const tailLevel = (k: number) => TAIL_BASE * Math.pow(TAIL_RATIO, k);
/** Index of the highest level ≤ a (−1 below the first). */
const levelBelow = (a: number) => (a < TAIL_BASE ? -1 : Math.min(TAIL_LEVELS - 1, Math.floor(Math.log(a / TAIL_BASE) / LOG_RATIO + 1e-9)));

/**
 * Exceedance frequencies of one statistic, upwards and downwards, counted per episode (a run above a
 * level counts once, when it crosses) and forgotten exponentially. Stored inflated by a growing factor
 * so that a row costs only the levels it crosses.
 */
class TailCounter {
  private readonly up: Float64Array;
  private readonly down: Float64Array;
  private inflate = 1;
  private prev = 0;
  private readonly grow: number;
  constructor(
    private readonly alpha: number,
    private readonly power: number,
    priorEps: number,
    priorPower: number,
    private readonly background: number,
  ) {
    this.grow = 1 / (1 - alpha);
    const prior = Array.from({ length: TAIL_LEVELS }, (_, k) => {
      const c = tailLevel(k);
      return Math.max(Math.exp(logNormalUpperTail(c)), priorEps * Math.pow(3 / c, priorPower));
    });
    this.up = Float64Array.from(prior);
    this.down = Float64Array.from(prior);
  }

  /**
   * ln p of a value as extreme as u in its direction: the normal tail, or the series' own exceedance
   * frequency at the highest level below |u| (extended by a power law) if that is higher. Then counts u.
   */
  logP(u: number, enabled: boolean): number {
    const a = Math.abs(u);
    let lp = logNormalUpperTail(a);
    const tail = u >= 0 ? this.up : this.down;
    const j = levelBelow(a);
    if (enabled) {
      // the highest level below |u| that this series reaches routinely, extended by a power law
      for (let k = j; k >= 0; k--) {
        const f = tail[k]! / this.inflate - this.background;
        if (f <= 0) continue;
        const emp = Math.log(f) + this.power * Math.log(tailLevel(k) / a);
        if (emp > lp) lp = emp;
        break;
      }
    }
    // forget a little, then count the levels this row newly crosses
    this.inflate *= this.grow;
    if (this.inflate > 1e200) {
      for (let k = 0; k < TAIL_LEVELS; k++) {
        this.up[k]! /= this.inflate;
        this.down[k]! /= this.inflate;
      }
      this.inflate = 1;
    }
    const from = (u >= 0) === (this.prev >= 0) ? levelBelow(Math.abs(this.prev)) + 1 : 0;
    const add = this.alpha * this.inflate;
    for (let k = from; k <= j; k++) tail[k]! += add;
    this.prev = u;
    return lp;
  }
}

/** One forecaster and what has been learnt about its errors. */
interface Forecaster {
  name: string;
  /** Index of the seasonal forecaster this one corrects (−1: none). */
  adjOf: number;
  /** Log-ratio (non-negative series) or additive correction. */
  corr: number;
  /** Forecast for the current row (NaN: not available). */
  pred: number;
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
  /** EW mean absolute residual (clipped), and count overdispersion ((x−μ)² − μ)/μ². */
  mad: number;
  phi: number;
  /** EW mean absolute error, unclipped and never frozen: floors the scale of mostly-constant series. */
  mae: number;
  /** The same per hour of day (NaN until seen). */
  slotMad: Float64Array | null;
  slotPhi: Float64Array | null;
}

/** The normal distribution's upper tail beyond which a row is treated as an outlier when learning. */
export class SeriesDetector {
  private readonly tu: Tuning;
  private readonly res: number;
  private readonly threshold: number;
  /** Rows per day and per week (0 = no such season at this resolution). */
  private readonly day: number;
  private readonly week: number;
  private readonly warmup: number;
  /** History ring: values by row index (gaps stay NaN). */
  private readonly ringVal: Float64Array;
  private readonly ringIdx: Float64Array;
  private t0 = NaN;
  private n = 0;
  private integerOnly = true;
  private positive = true;
  private absMean = NaN;
  private offset = 1;
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
  private flaggedRun = 0;
  // evidence over time
  private readonly zRing: Float64Array;
  private zPos = 0;
  private readonly zSums: Float64Array;
  private readonly zVar: Float64Array;
  private readonly zSeen: Float64Array;
  private readonly zMean: Float64Array;
  private readonly tails: TailCounter[];
  // novelty
  private recentMax = 0;
  private readonly recentDecay: number;
  private readonly scratch: number[] = [];
  /** Diagnostics: the last row's point z. */
  lastZ = 0;
  /** Diagnostics: the last row's surprise per window length. */
  readonly lastS: number[] = [];

  constructor(opts: SeriesOptions) {
    const tu = (this.tu = { ...DEFAULT_TUNING, ...opts.tuning });
    this.res = Math.max(1, opts.resolutionMs);
    this.threshold = SERIES_THRESHOLDS[opts.sensitivity];
    const perDay = DAY_MS / this.res;
    this.day = Number.isInteger(perDay) && perDay >= 4 ? perDay : 0;
    this.week = Number.isInteger(perDay) ? perDay * 7 : 0;
    this.warmup = Math.max(tu.warmup, Math.min(this.day, 288));
    const span = Math.max(this.week * tu.maxWeeks, this.day * tu.maxDays, 1) + 2;
    this.ringVal = new Float64Array(span).fill(NaN);
    this.ringIdx = new Float64Array(span).fill(-1);
    this.levels = tu.levelSpans.map(() => NaN);
    this.selAlpha = 1 / Math.min(Math.max(this.week, 96), 2016);
    this.scaleAlpha = 1 / Math.max(64, Math.min(this.day || 128, 288));
    this.cycleLen = this.day >= 16 ? this.day : this.week >= 16 ? this.week : 16;
    this.slots = this.day ? Math.min(24, this.day) : 0;
    this.slotRows = this.day ? this.day / this.slots : 1;
    this.recentDecay = Math.pow(0.5, 2 / (tu.memory || Math.max(12, Math.min(this.day || 48, 288))));
    const slotArray = () => (this.slots && tu.slotScale ? new Float64Array(this.slots).fill(NaN) : null);
    const mk = (name: string, minSeen: number, adjOf = -1): Forecaster => ({
      name,
      adjOf,
      corr: 0,
      pred: NaN,
      seen: 0,
      learnt: 0,
      minSeen,
      err: NaN,
      cycSum: 0,
      cycN: 0,
      cycles: [],
      mad: NaN,
      phi: 0,
      mae: NaN,
      slotMad: slotArray(),
      slotPhi: slotArray(),
    });
    this.fc = tu.levelSpans.map((s) => mk(`level${s}`, 0));
    const seasonal: number[] = [];
    if (this.day) seasonal.push(this.fc.push(mk('daily', this.day)) - 1);
    if (this.week) seasonal.push(this.fc.push(mk('weekly', this.week)) - 1);
    if (tu.adjustSpan > 0) for (const i of seasonal) this.fc.push(mk(`${this.fc[i]!.name}+level`, this.fc[i]!.minSeen, i));
    const maxScale = Math.max(...tu.scales);
    this.zRing = new Float64Array(maxScale);
    this.zSums = new Float64Array(tu.scales.length);
    this.zVar = new Float64Array(tu.scales.length).fill(NaN);
    this.zSeen = new Float64Array(tu.scales.length);
    this.zMean = new Float64Array(tu.scales.length);
    this.tails = tu.scales.map(
      (w) => new TailCounter(1 / tu.tailSpan, tu.tailPower, tu.priorEps, tu.priorPower, (w === 1 ? tu.routine : tu.routineWindows) / tu.tailSpan),
    );
  }

  /** The forecaster currently giving `expected` (diagnostics). */
  get windowSd(): number[] {
    return [...this.zVar].map((v) => Math.sqrt(v));
  }

  get forecaster(): string {
    return this.fc[this.best]!.name;
  }

  push(p: SeriesPoint): SeriesScore {
    const tu = this.tu;
    if (Number.isNaN(this.t0)) this.t0 = p.t;
    const idx = Math.round((p.t - this.t0) / this.res);
    const x = p.value;
    const learning = this.n < this.warmup;
    this.forecast(idx);

    const countMode = this.integerOnly && Number.isInteger(x) && x >= 0;
    const best = this.fc[this.best]!;
    let score = 0;
    let expected: number | null = null;
    let direction: 'up' | 'down' | null = null;
    let z = 0;
    if (!Number.isNaN(best.pred)) {
      const mu = best.pred;
      z = countMode ? countZ(x, Math.max(mu, 0.05), this.phiOf(best, idx, mu), tu.exactMax) : (x - mu) / this.scaleOf(best, mu, idx);
      const s = this.evidence(z);
      if (!learning) {
        expected = countMode ? Math.max(mu, 0) : mu;
        direction = z > 0 ? 'up' : z < 0 ? 'down' : null;
        score = surpriseToScore(this.novelty(s), tu.scoreHalf);
      }
    }
    this.lastZ = z;
    const flagged = Math.abs(z) >= tu.freezeZ;
    this.flaggedRun = flagged ? this.flaggedRun + 1 : 0;
    this.learn(idx, x, countMode, flagged && this.flaggedRun <= tu.maxFreeze);
    this.n++;
    return { t: p.t, value: x, expected, score, moment: score >= this.threshold, learning, direction };
  }

  // ---------------------------------------------------------------- forecasts

  private at(idx: number): number {
    if (idx < 0) return NaN;
    const slot = idx % this.ringVal.length;
    return this.ringIdx[slot] === idx ? this.ringVal[slot]! : NaN;
  }

  /** Trimmed mean of the same phase in up to `max` earlier periods, each the median of 3 neighbours. */
  private seasonal(idx: number, period: number, max: number): number {
    const vals = this.scratch;
    vals.length = 0;
    for (let k = 1; k <= max; k++) {
      const c = idx - k * period;
      const v = this.at(c);
      if (Number.isNaN(v)) continue;
      const a = this.at(c - 1);
      const b = c + 1 < idx ? this.at(c + 1) : NaN;
      vals.push(Number.isNaN(a) || Number.isNaN(b) ? v : median3(a, v, b));
    }
    return robustCentre(vals);
  }

  private forecast(idx: number): void {
    const tu = this.tu;
    for (const [i, c] of this.fc.entries()) {
      if (i < tu.levelSpans.length) c.pred = this.levels[i]!;
      else if (c.adjOf >= 0) {
        const base = this.fc[c.adjOf]!.pred;
        c.pred = this.positive ? (base + this.offset) * Math.exp(c.corr) - this.offset : base + c.corr;
      } else if (c.name === 'daily') c.pred = this.seasonal(idx, this.day, tu.maxDays);
      else c.pred = this.seasonal(idx, this.week, tu.maxWeeks);
    }
  }

  // ---------------------------------------------------------------- learning

  private learn(idx: number, x: number, countMode: boolean, frozen: boolean): void {
    const tu = this.tu;
    const slot = this.slotOf(idx);
    for (const c of this.fc) {
      if (Number.isNaN(c.pred)) continue;
      c.seen++;
      const e = x - c.pred;
      const ae = Math.abs(e);
      const s = Number.isNaN(c.mad) ? ae : this.scaleOf(c, c.pred, idx);
      const ec = Math.min(ae, tu.clip * s);
      c.err = Number.isNaN(c.err) ? ec : c.err + Math.max(this.selAlpha, 1 / c.seen) * (ec - c.err);
      c.cycSum += ec;
      c.cycN++;
      c.mae = Number.isNaN(c.mae) ? ae : c.mae + Math.max(this.scaleAlpha, 1 / c.seen) * (ae - c.mae);
      if (frozen) continue;
      c.learnt++;
      const a = Math.max(this.scaleAlpha, 1 / c.learnt);
      const sa = tu.slotAlpha / this.slotRows;
      c.mad = Number.isNaN(c.mad) ? ae : c.mad + a * (ec - c.mad);
      if (c.slotMad) {
        const old = c.slotMad[slot]!;
        c.slotMad[slot] = Number.isNaN(old) ? ec : old + sa * (ec - old);
      }
      if (countMode && c.pred > 0 && tu.momentPhi) {
        const m = c.pred;
        const v = m + m * m * this.phiOf(c, idx);
        const d = Math.max(-tu.clip, Math.min(tu.clip, e / Math.sqrt(v + 0.25)));
        const stat = Math.min(10, Math.max(0, (d * d * v - m) / (m * m)));
        c.phi += a * (stat - c.phi);
        if (c.slotPhi) {
          const old = c.slotPhi[slot]!;
          c.slotPhi[slot] = Number.isNaN(old) ? stat : old + sa * (stat - old);
        }
      }
    }
    this.learnEvidence(frozen);
    this.select(idx);
    // error corrections of the seasonal forecasts (log-ratio for non-negative series)
    if (!(x >= 0) && this.positive) {
      this.positive = false;
      for (const c of this.fc) c.corr = 0;
    }
    if (tu.adjustSpan > 0) {
      for (const c of this.fc) {
        if (c.adjOf < 0) continue;
        const b = this.fc[c.adjOf]!;
        if (Number.isNaN(b.pred)) continue;
        const s = tu.clip * this.scaleOf(b, b.pred, idx);
        let e: number;
        if (this.positive) {
          const lim = Math.log1p(s / (Math.abs(b.pred) + this.offset));
          e = Math.max(-lim, Math.min(lim, Math.log((x + this.offset) / (Math.max(b.pred, 0) + this.offset))));
        } else e = Math.max(-s, Math.min(s, x - b.pred));
        if (Number.isFinite(e)) c.corr += (e - c.corr) / tu.adjustSpan;
      }
    }
    // robust levels
    for (let i = 0; i < tu.levelSpans.length; i++) {
      const l = this.levels[i]!;
      if (Number.isNaN(l)) this.levels[i] = x;
      else {
        const s = tu.clip * (Number.isNaN(this.fc[i]!.mad) ? Math.abs(x - l) : this.scaleOf(this.fc[i]!, l, idx));
        this.levels[i] = l + Math.max(-s, Math.min(s, x - l)) / tu.levelSpans[i]!;
      }
    }
    if (!(Number.isInteger(x) && x >= 0)) this.integerOnly = false;
    this.absMean = Number.isNaN(this.absMean) ? Math.abs(x) : this.absMean + this.scaleAlpha * (Math.abs(x) - this.absMean);
    this.offset = this.integerOnly ? 1 : Math.max(1e-9, 1e-3 * this.absMean);
    if (idx >= 0) {
      const r = idx % this.ringVal.length;
      this.ringVal[r] = x;
      this.ringIdx[r] = idx;
    }
  }

  /**
   * Model choice: each forecaster's mean clipped error per cycle (a day, or 16 rows); the lowest
   * median over the last few cycles wins, with a margin. Until a cycle is complete, the running error.
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
    const err = (c: Forecaster) => (c.cycles.length ? medianOf(c.cycles) : c.err);
    let b = this.best;
    for (let i = 0; i < this.fc.length; i++) {
      const c = this.fc[i]!;
      if (i === b || c.seen < c.minSeen || Number.isNaN(c.err)) continue;
      const bc = this.fc[b]!;
      const cc = c.cycles.length > 0;
      const bcc = bc.cycles.length > 0;
      if (Number.isNaN(bc.err) || (cc && !bcc) || (cc === bcc && err(c) < err(bc) * tu.hysteresis)) b = i;
    }
    this.best = b;
  }

  // ---------------------------------------------------------------- scale

  private slotOf(idx: number): number {
    if (!this.slots) return 0;
    return Math.floor((((idx % this.day) + this.day) % this.day) / this.slotRows);
  }

  /** A per-hour-of-day value, interpolated between neighbouring slots; NaN if unseen. */
  private slotValue(arr: Float64Array, idx: number): number {
    const pos = (((idx % this.day) + this.day) % this.day) / this.slotRows - 0.5;
    const lo = Math.floor(pos);
    const f = pos - lo;
    const a = arr[(lo + this.slots) % this.slots]!;
    const b = arr[(lo + 1) % this.slots]!;
    if (Number.isNaN(a)) return b;
    if (Number.isNaN(b)) return a;
    return a + f * (b - a);
  }

  /**
   * Count overdispersion of a forecaster at this time of day: from the robust residual scale (the
   * variance beyond Poisson, relative to the mean squared), so spikes do not widen it.
   */
  private phiOf(c: Forecaster, idx: number, mu = c.pred): number {
    if (!this.tu.momentPhi) {
      const m = Math.max(mu, 0.05);
      const s = this.scaleOf(c, m, idx);
      return Math.max(0, (s * s - m) / (m * m));
    }
    if (!c.slotPhi) return c.phi;
    const v = this.slotValue(c.slotPhi, idx);
    return Number.isNaN(v) ? c.phi : Math.max(v, this.tu.slotFloor * c.phi);
  }

  /** Residual scale (≈ standard deviation) of a forecaster, floored so a flat series does not explode. */
  private scaleOf(c: Forecaster, level: number, idx: number): number {
    let s = 1.2533 * (Number.isNaN(c.mad) ? 0 : c.mad);
    if (c.slotMad) {
      const v = this.slotValue(c.slotMad, idx);
      if (!Number.isNaN(v)) s = Math.max(1.2533 * v, this.tu.slotFloor * s);
    }
    return Math.max(s, this.tu.maeFloor * (c.mae || 0), 1e-3 * Math.abs(level), 1e-3 * (this.absMean || 0), 1e-9);
  }

  // ---------------------------------------------------------------- evidence

  /**
   * Calibrates this row's z, adds the calibrated score to the window means, and returns the strongest
   * calibrated surprise (−log10 p, Bonferroni-corrected over the window lengths).
   */
  private evidence(z: number): number {
    const tu = this.tu;
    const lp1 = this.tails[0]!.logP(z, tu.calibrate);
    const zCal = tu.windowOnCalibrated ? Math.sign(z) * probitFromLogTail(Math.min(lp1, Math.log(0.5))) : z;
    const zc = Math.max(-tu.zClip, Math.min(tu.zClip, zCal));
    const size = this.zRing.length;
    this.zPos = (this.zPos + 1) % size;
    this.lastS.fill(0);
    const correction = Math.log10(tu.scales.length);
    let best = 0;
    for (let j = 0; j < tu.scales.length; j++) {
      const w = tu.scales[j]!;
      let lp = lp1;
      if (w > 1) {
        const old = this.zRing[(this.zPos - w + size * 2) % size]!;
        const sum = this.zSums[j]! - old + zc;
        this.zSums[j] = sum;
        const m = sum / w;
        this.zMean[j] = m;
        if (this.zSeen[j]! < w * 4) continue;
        lp = this.tails[j]!.logP(m / Math.sqrt(Math.max(this.zVar[j]!, 1 / w / 4)), tu.calibrate);
      }
      const s = -(lp + Math.LN2) / Math.LN10 - correction;
      this.lastS[j] = s;
      if (s > best) best = s;
    }
    this.zRing[this.zPos] = zc;
    return best;
  }

  /**
   * Learns the spread of each window mean (clipped, so a burst does not widen it at once; a window
   * mean that is itself an outlier does not teach it, unless the point rows are learning again).
   */
  private learnEvidence(frozen: boolean): void {
    const tu = this.tu;
    for (let j = 0; j < tu.scales.length; j++) {
      const w = tu.scales[j]!;
      if (w === 1) continue;
      const m = this.zMean[j]!;
      const v = this.zVar[j]!;
      const sd = Number.isNaN(v) ? 1 : Math.sqrt(v);
      if (tu.windowFreeze ? Math.abs(m) >= tu.freezeZ * sd && this.flaggedRun <= tu.maxFreeze : frozen) continue;
      const mc = Math.min(Math.abs(m), tu.clip * sd);
      this.zVar[j] = Number.isNaN(v) ? Math.max(mc * mc, 1 / w) : v + Math.max(this.scaleAlpha, 1 / (this.zSeen[j]! + 1)) * (mc * mc - v);
      this.zSeen[j]!++;
    }
  }

  /**
   * Onsets and escalations, not continuations: once an alarm-size surprise has been reported, a row
   * that is not `margin` above the decaying recent maximum keeps only `suppress` of its surprise.
   */
  private novelty(s: number): number {
    const tu = this.tu;
    const m = this.recentMax;
    this.recentMax = Math.max(s, m * this.recentDecay);
    if (!tu.novelty || m < tu.alarmAt || s >= m * (1 + tu.margin)) return s;
    return s * tu.suppress;
  }
}

function medianOf(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[n >> 1]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/** Median of up to 3 values; the mean without the extremes for 4 or more. */
function robustCentre(vals: number[]): number {
  const n = vals.length;
  if (n === 0) return NaN;
  if (n === 1) return vals[0]!;
  if (n === 2) return (vals[0]! + vals[1]!) / 2;
  vals.sort((a, b) => a - b);
  if (n === 3) return vals[1]!;
  let s = 0;
  for (let i = 1; i < n - 1; i++) s += vals[i]!;
  return s / (n - 2);
}
