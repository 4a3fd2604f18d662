import type { SeriesDetector, SeriesPoint, SeriesScore } from './series.js';
import {
  F_DOWN,
  F_EPISODE_UP,
  F_GROWTH,
  F_LEARNING,
  F_MOMENT,
  F_ONSET,
  F_TONE,
  F_UP,
  T_ACTIVE,
  T_DOWN,
  T_EPISODE_DOWN,
  T_EPISODE_UP,
  T_GROWTH,
  T_ONSET,
  T_UP,
  V_EXPECTED,
  V_FLAGS,
  V_SCORE,
  V_TONE_BASELINE,
  V_TONE_FLAGS,
  V_TONE_ITEMS,
  V_TONE_MEAN,
  V_TONE_SURPRISE,
  verdict,
  row,
  R_T,
  R_VALUE,
  R_SENTIMENT,
  R_N,
  R_SQ,
} from './verdict.js';

/**
 * Rows of a series in typed arrays, so that a batch can go to a worker thread and back without copying
 * object by object (`detect` scores a long series on a second core while the first reads and writes).
 * Optional fields keep whether they were absent, null or a number.
 */
type F64 = Float64Array<ArrayBuffer>;
type U8 = Uint8Array<ArrayBuffer>;

export interface PointBatch {
  t: F64;
  value: F64;
  sentiment: F64;
  /** 0: absent, 1: null, 2: a number (in `sentiment`). */
  sentimentKind: U8;
  n: F64;
  nKind: U8;
}

export interface ScoreBatch {
  /** NaN: null (learning). */
  expected: F64;
  score: F64;
  /** Bit 1: moment, 2: learning, 4: up, 8: down, 16: onset alert, 32: growth alert, 64: the episode goes up. */
  flags: U8;
  /** Tone (NaN where absent or null): surprise, window mean, baseline, items. */
  toneScore: F64;
  toneMean: F64;
  toneBaseline: F64;
  toneItems: F64;
  /** Bit 1: tone present, 2: active, 4: positive, 8: negative, 16: onset, 32: growth, 64/128: the swing is positive/negative. */
  toneFlags: U8;
}

/** The buffers a batch is made of, to transfer it to or from a worker thread instead of copying it. */
export function buffersOf(b: PointBatch | ScoreBatch): ArrayBuffer[] {
  return Object.values(b).map((a: F64 | U8) => a.buffer);
}

const kindOf = (v: number | null | undefined): number => (v === undefined ? 0 : v === null ? 1 : 2);

export function packPoints(points: readonly SeriesPoint[]): PointBatch {
  const b = pointBatch(points.length);
  points.forEach((p, i) => putPoint(b, i, p));
  return b;
}

/** An empty batch of `size` rows, to fill with putPoint / putRow. */
export function pointBatch(size: number): PointBatch {
  return {
    t: new Float64Array(size),
    value: new Float64Array(size),
    sentiment: new Float64Array(size),
    sentimentKind: new Uint8Array(size),
    n: new Float64Array(size),
    nKind: new Uint8Array(size),
  };
}

/** Row i of the batch from a point. */
export function putPoint(b: PointBatch, i: number, p: SeriesPoint): void {
  b.t[i] = p.t;
  b.value[i] = p.value;
  b.sentimentKind[i] = kindOf(p.sentiment);
  b.sentiment[i] = p.sentiment ?? 0;
  b.nKind[i] = kindOf(p.n);
  b.n[i] = p.n ?? 0;
}

/** Row i of the batch: a time and a value, no sentiment or n (the common row, read without a point object). */
export function putRow(b: PointBatch, i: number, t: number, value: number): void {
  b.t[i] = t;
  b.value[i] = value;
  b.sentimentKind[i] = 0;
  b.sentiment[i] = 0;
  b.nKind[i] = 0;
  b.n[i] = 0;
}

/** The first `size` rows of a batch (a copy: the last batch of a series is not full). */
export function trimBatch(b: PointBatch, size: number): PointBatch {
  if (size === b.t.length) return b;
  return { t: b.t.slice(0, size), value: b.value.slice(0, size), sentiment: b.sentiment.slice(0, size), sentimentKind: b.sentimentKind.slice(0, size), n: b.n.slice(0, size), nKind: b.nKind.slice(0, size) };
}

/** A verdict's flags (verdict.ts, F_*) as a batch's (ScoreBatch.flags), by table. */
const FLAGS = Uint8Array.from({ length: 128 }, (_, f) => {
  const moment = (f & F_MOMENT) !== 0;
  return (moment ? 1 : 0) | (f & F_LEARNING ? 2 : 0) | (f & F_UP ? 4 : f & F_DOWN ? 8 : 0) | (f & F_ONSET ? 16 : f & F_GROWTH ? 32 : 0) | (moment && f & F_EPISODE_UP ? 64 : 0);
});
/** A tone verdict's flags (T_*) as a batch's (ScoreBatch.toneFlags; bit 1: tone present). */
const TONE_FLAGS = Uint8Array.from({ length: 128 }, (_, f) =>
  1 | (f & T_ACTIVE ? 2 : 0) | (f & T_UP ? 4 : f & T_DOWN ? 8 : 0) | (f & T_ONSET ? 16 : f & T_GROWTH ? 32 : 0) | (f & T_EPISODE_UP ? 64 : f & T_EPISODE_DOWN ? 128 : 0),
);

/**
 * Scores a batch with the detector (which keeps its state from batch to batch), into `into` when it is
 * a batch of scores of the same size that is no longer used (every row is overwritten), else new arrays.
 */
export function scoreBatch(detector: SeriesDetector, b: PointBatch, into?: ScoreBatch | null): ScoreBatch {
  const size = b.t.length;
  const f64 = () => new Float64Array(size);
  const out: ScoreBatch = into && into.flags.length === size ? into : {
    expected: f64(),
    score: f64(),
    flags: new Uint8Array(size),
    toneScore: f64(),
    toneMean: f64(),
    toneBaseline: f64(),
    toneItems: f64(),
    toneFlags: new Uint8Array(size),
  };
  // each row's verdict (verdict.ts) is packed before the next: no point or score object per row
  const sentimentKind = b.sentimentKind;
  const nKind = b.nKind;
  for (let i = 0; i < size; i++) {
    const sk = sentimentKind[i]!;
    // (detector.score's row, written here: push's p.sentiment ?? NaN, p.n ?? 1, no sum of squares in a batch)
    row[R_T] = b.t[i]!;
    row[R_VALUE] = b.value[i]!;
    row[R_SENTIMENT] = sk === 2 ? b.sentiment[i]! : NaN;
    row[R_N] = nKind[i] === 2 ? b.n[i]! : 1;
    row[R_SQ] = NaN;
    detector.scoreRow(sk !== 0);
    const f = verdict[V_FLAGS]!;
    out.expected[i] = verdict[V_EXPECTED]!;
    out.score[i] = verdict[V_SCORE]!;
    out.flags[i] = FLAGS[f & 127]!;
    if (f & F_TONE) {
      out.toneScore[i] = verdict[V_TONE_SURPRISE]!;
      out.toneMean[i] = verdict[V_TONE_MEAN]!;
      out.toneBaseline[i] = verdict[V_TONE_BASELINE]!;
      out.toneItems[i] = verdict[V_TONE_ITEMS]!;
      out.toneFlags[i] = TONE_FLAGS[verdict[V_TONE_FLAGS]! & 127]!;
    } else {
      out.toneScore[i] = 0;
      out.toneMean[i] = 0;
      out.toneBaseline[i] = 0;
      out.toneItems[i] = 0;
      out.toneFlags[i] = 0;
    }
  }
  return out;
}

/** The scores of a batch of rows as the detector gave them. */
export function unpackScores(rows: Pick<PointBatch, 't' | 'value'>, s: ScoreBatch): SeriesScore[] {
  const out = new Array<SeriesScore>(rows.t.length);
  for (let i = 0; i < out.length; i++) {
    const e = s.expected[i]!;
    const f = s.flags[i]!;
    const tf = s.toneFlags[i]!;
    const nullable = (x: number) => (Number.isNaN(x) ? null : x);
    out[i] = {
      t: rows.t[i]!,
      value: rows.value[i]!,
      expected: Number.isNaN(e) ? null : e,
      score: s.score[i]!,
      moment: (f & 1) !== 0,
      learning: (f & 2) !== 0,
      direction: f & 4 ? 'up' : f & 8 ? 'down' : null,
      alert: f & 16 ? 'onset' : f & 32 ? 'growth' : null,
      episode: f & 1 ? (f & 64 ? 'up' : 'down') : null,
      tone: tf & 1
        ? {
            surprise: s.toneScore[i]!,
            direction: tf & 4 ? 1 : tf & 8 ? -1 : 0,
            mean: nullable(s.toneMean[i]!),
            baseline: nullable(s.toneBaseline[i]!),
            items: s.toneItems[i]!,
            alert: tf & 16 ? 'onset' : tf & 32 ? 'growth' : null,
            active: (tf & 2) !== 0,
            episode: tf & 64 ? 1 : tf & 128 ? -1 : 0,
          }
        : null,
    };
  }
  return out;
}
