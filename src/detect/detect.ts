import { deserialize, serialize } from 'node:v8';
import type { Sensitivity } from '../config/schema.js';
import type { Bucket, Moment, MomentDirection, MomentKind } from '../core/types.js';
import { BUCKET_WIDTH, packBuckets, type PackedBuckets } from '../core/buckets.js';
import { ENGINE_GRID_MS, engineHistoryMs, MAX_BUCKETS } from '../core/limits.js';
import { bucketStart, gridShift } from '../core/time.js';
import type { Alert } from './alerts.js';
import { SeriesDetector, type Tuning } from './series.js';
import { compactState, episodeOpen, restoreState, saveState } from './snapshot.js';
import * as V from './verdict.js';

const DAY_MS = 86_400_000;
/** How far back before its alert a swing's start is looked for (swingStart). */
const SWING_LOOK_BACK_MS = DAY_MS;

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
  /**
   * The team's standard UTC offset (core/time.ts standardOffset; 0 or absent: UTC): buckets are cut at its
   * midnight (gridShift), a day's bucket from 23:00 UTC for Amsterdam, all of one length.
   */
  offsetMs?: number;
  /**
   * Periods nobody fetched ([start, end), oldest first, not overlapping): the feeds that carry the topic
   * were not read then and dropped its items (the fetch log: moments/coverage.ts). A bucket that meets one
   * is not judged and not learnt from: its count is unknown, not a quiet spell that lowers the baseline.
   */
  blind?: readonly (readonly [number, number])[];
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
  /** False while the engine is learning, for a bucket that has not ended by asOf, and for one unfetched. */
  judged: boolean;
  /** The bucket meets a period nobody fetched (DetectOptions.blind): its count is what was left to fetch. */
  unfetched: boolean;
}


/** Where the engine starts for an evaluation: what callers read buckets from. */
export function engineStart(o: Pick<DetectOptions, 'from' | 'bucketMs' | 'baselineMs' | 'historyStart' | 'offsetMs'>): number {
  // engineHistoryMs bounds this: the baseline (at least eight weeks), and up to a grid step of rounding
  const history = engineHistoryMs(o.baselineMs) - ENGINE_GRID_MS;
  const anchored = Math.floor((o.from - history) / ENGINE_GRID_MS) * ENGINE_GRID_MS;
  const first = o.historyStart === null ? anchored : Math.max(anchored, o.historyStart);
  return bucketStart(first, o.bucketMs, shiftOf(o));
}

/** Where the evaluation's bucket grid is cut (0: on the epoch's; in a team's zone, at its standard midnight). */
export function shiftOf(o: Pick<DetectOptions, 'bucketMs' | 'offsetMs'>): number {
  return gridShift(o.bucketMs, o.offsetMs);
}

/** Scores every complete bucket from `from` to `asOf` (and the one in progress, unjudged); resumed as `r` says. */
export function scoreBuckets(buckets: Bucket[] | PackedBuckets, o: DetectOptions, r: Resume = {}): BucketScore[] {
  const { trace } = run(buckets, o, r);
  const out: BucketScore[] = [];
  for (let i = trace.indexOf(bucketStart(o.from, o.bucketMs, shiftOf(o))); i < trace.length; i++) out.push(trace.row(i));
  return out;
}

// Per-row flags of a trace.
const JUDGED = 1;
const SPIKE = 2; // the row belongs to an up-episode of volume
const SPIKE_ONSET = 4;
const SPIKE_GROWTH = 8;
const SWING_UP = 16; // the row belongs to a positive swing in tone
const SWING_DOWN = 32;
const SWING_ONSET = 64;
const SWING_GROWTH = 128;
const TONE_BASELINE = 256; // baselineSentiment is known
const UNFETCHED = 512; // the bucket meets a period nobody fetched: not judged

/**
 * The engine's verdicts on every bucket from its start, in typed arrays (a topic's history is thousands
 * of buckets; only the few that make moments, or a timeline's, become objects).
 */
class Trace {
  readonly count: Float64Array;
  readonly items: Float64Array;
  readonly scored: Float64Array;
  readonly sentimentSum: Float64Array;
  readonly expected: Float64Array;
  readonly volumeScore: Float64Array;
  readonly toneScore: Float64Array;
  readonly toneBaseline: Float64Array;
  readonly toneItems: Float64Array;
  readonly flags: Uint16Array;

  constructor(
    readonly first: number,
    readonly bucketMs: number,
    readonly length: number,
  ) {
    const f = () => new Float64Array(length);
    this.count = f();
    this.items = f();
    this.scored = f();
    this.sentimentSum = f();
    this.expected = f();
    this.volumeScore = f();
    this.toneScore = f();
    this.toneBaseline = f();
    this.toneItems = f();
    this.flags = new Uint16Array(length);
  }

  start(i: number): number {
    return this.first + i * this.bucketMs;
  }

  /** Index of the bucket starting at t (clamped to the trace). */
  indexOf(t: number): number {
    return Math.min(this.length, Math.max(0, Math.round((t - this.first) / this.bucketMs)));
  }

  sentimentMean(i: number): number | null {
    return this.scored[i]! > 0 ? this.sentimentSum[i]! / this.scored[i]! : null;
  }

  baseline(i: number): number | null {
    return this.flags[i]! & TONE_BASELINE ? this.toneBaseline[i]! : null;
  }

  row(i: number): BucketScore {
    const f = this.flags[i]!;
    return {
      start: this.start(i),
      count: this.count[i]!,
      items: this.items[i]!,
      scored: this.scored[i]!,
      expected: this.expected[i]!,
      volumeScore: this.volumeScore[i]!,
      volumeFlag: (f & SPIKE) !== 0,
      volumeAlert: f & SPIKE_ONSET ? 'onset' : f & SPIKE_GROWTH ? 'growth' : null,
      sentimentMean: this.sentimentMean(i),
      baselineSentiment: this.baseline(i),
      sentimentScore: this.toneScore[i]!,
      sentimentFlag: f & SWING_UP ? 'positive' : f & SWING_DOWN ? 'negative' : null,
      sentimentAlert: f & SWING_ONSET ? 'onset' : f & SWING_GROWTH ? 'growth' : null,
      sentimentWindowItems: this.toneItems[i]!,
      judged: (f & JUDGED) !== 0,
      unfetched: (f & UNFETCHED) !== 0,
    };
  }
}

/**
 * The engine's state before the bucket starting at `at`, saved by an earlier run with the same engine,
 * settings and engine start (the caller keys it so, and drops it when counts before `at` change), with
 * the moments that closed before it (Carried).
 */
export interface EngineSnapshot {
  at: number;
  state: Uint8Array;
}

/**
 * What a saved state carries besides the engine: the moments that had closed by then, so that a run
 * resumed from a state inside its window (a backtest run again, a window that ends later) still reports
 * the moments before the state, as a replay from the engine start does. A state is saved only where no
 * episode is open, so every moment either closed before it or fires after it.
 */
interface Carried {
  /** Every moment that closed before the state and ended after `since` is here (those ending before may not be). */
  since: number;
  /** Start of the last judged bucket before the state (the engine start when none was): "now" for a moment when no later bucket is judged. */
  lastJudged: number;
  /** The periods nobody fetched before the state, cut at it: the state was made with these. */
  blind: [number, number][];
  /** The moments as built (their `ongoing`, `stage` and `hoursSinceOnset` are made again for each run). */
  moments: Moment[];
  /** Per moment: its last bucket was at least as strong as its peak (its stage while ongoing: rising). */
  rising: boolean[];
}

/** A state's bytes: the length of Carried's bytes (uint32, little-endian), Carried (v8), the engine's state (snapshot.ts). */
function wrapState(carried: Carried, engine: Uint8Array): Uint8Array {
  const head = serialize(carried);
  const out = new Uint8Array(4 + head.byteLength + engine.byteLength);
  new DataView(out.buffer).setUint32(0, head.byteLength, true);
  out.set(head, 4);
  out.set(engine, 4 + head.byteLength);
  return out;
}

const unwrapped = new WeakMap<EngineSnapshot, { carried: Carried; engine: Uint8Array } | null>();
/** A saved state's parts (null when its bytes are not such: damaged, or from other code). */
function unwrapState(s: EngineSnapshot): { carried: Carried; engine: Uint8Array } | null {
  let out = unwrapped.get(s);
  if (out === undefined) {
    out = null;
    try {
      const b = s.state;
      const n = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true);
      if (4 + n <= b.byteLength) {
        const carried = deserialize(b.subarray(4, 4 + n)) as Carried;
        if (Array.isArray(carried?.moments)) out = { carried, engine: b.subarray(4 + n) };
      }
    } catch {
      out = null;
    }
    unwrapped.set(s, out);
  }
  return out;
}

/** A saved state as values: what it carries, and the engine's state deserialized (for comparing states: their bytes may say a number differently). */
export function snapshotValue(s: EngineSnapshot): { carried: Carried; engine: unknown } | null {
  const parts = unwrapState(s);
  return parts && { carried: parts.carried, engine: deserialize(parts.engine) };
}

/** The periods nobody fetched before `at`, cut at it. */
function blindBefore(blind: DetectOptions['blind'], at: number): [number, number][] {
  return (blind ?? []).filter(([a]) => a < at).map(([a, b]) => [a, Math.min(b, at)]);
}

export interface Resume {
  /** Resume from this state instead of replaying from the engine start (ignored unless it fits). */
  from?: EngineSnapshot | null;
  /**
   * Save the state at the last day boundary at or before this time (and after `from`, within three days)
   * where no episode is open, for a later run to resume from, with the moments that closed before it.
   */
  saveBy?: number;
}

/** A saved state that fits the evaluation by time but cannot be restored (damaged, or from other code). */
export class StaleStateError extends Error {
  constructor() {
    super('the saved engine state cannot be restored');
  }
}

/**
 * Whether a saved state can be resumed from in this evaluation: on its bucket grid, after its start, by
 * the window's first bucket — or later, up to the bucket in progress, when it carries every moment that
 * closed before it and reaches into the window, and was made with the same periods nobody fetched.
 */
export function fits(o: DetectOptions, s: EngineSnapshot): boolean {
  const first = engineStart(o);
  if (!(s.at > first && (s.at - first) % o.bucketMs === 0)) return false;
  const shift = shiftOf(o);
  const fromBucket = bucketStart(o.from, o.bucketMs, shift);
  if (s.at <= fromBucket) return true;
  if (s.at > bucketStart(o.asOf, o.bucketMs, shift)) return false;
  const c = unwrapState(s)?.carried;
  return c !== undefined && c.since <= fromBucket && JSON.stringify(c.blind) === JSON.stringify(blindBefore(o.blind, s.at));
}

/**
 * Where an evaluation resumed from `s` needs buckets from (engineStart when it cannot resume from it): a
 * little before the state, for a swing's start and a sparkline's lead.
 */
export function resumeStart(o: DetectOptions, s: EngineSnapshot): number {
  const first = engineStart(o);
  return fits(o, s) ? Math.max(first, s.at - lookBackRows(o.bucketMs) * o.bucketMs) : first;
}

/** Rows a resumed trace keeps before the resumed state, counts only: what swingStart and a sparkline look back at. */
function lookBackRows(bucketMs: number): number {
  return Math.max(Math.ceil(SWING_LOOK_BACK_MS / bucketMs), SERIES_LEAD);
}
/** Snapshots are taken this long before saveBy at most (at day boundaries). */
const SAVE_SPAN_MS = 3 * DAY_MS;

interface Run {
  trace: Trace;
  snapshot: EngineSnapshot | null;
  resumed: boolean;
  /** The trace's first judged row (the state's, when resumed). */
  startRow: number;
  /** What the state resumed from carried (null when not resumed, or from a state that carried nothing). */
  carried: Carried | null;
}

function run(buckets: Bucket[] | PackedBuckets, o: DetectOptions, r: Resume = {}): Run {
  const first = engineStart(o);
  const open = bucketStart(o.asOf, o.bucketMs, shiftOf(o));
  // buckets that ended by asOf are judged; the one in progress is shown (once it has begun), not judged
  const n = Math.max(0, (open - first) / o.bucketMs);
  const showOpen = o.asOf > open;
  if (o.historyStart === null || open < first) return { trace: new Trace(first, o.bucketMs, 0), snapshot: null, resumed: false, startRow: 0, carried: null };
  // commands check requests against MAX_BUCKETS first (checkWindow), with a message that says what to do
  if (n > MAX_BUCKETS) throw new RangeError(`${n} buckets to evaluate`);
  const engine = new SeriesDetector({
    resolutionMs: o.bucketMs,
    sensitivity: o.sensitivity,
    baselineMs: o.baselineMs,
    // moments report rises in volume (falls are not moments): a dip never holds a spike back
    direction: 'up',
    counts: true,
    ...(o.tuning ? { tuning: o.tuning } : {}),
  });
  // Resuming: the trace starts a little before the saved state (counts only there) and the engine at it.
  // The state was saved where no episode was open, so every moment this run finds starts after it; those
  // that closed before it come with the state (Carried), as a replay from the engine start finds them.
  const resumed = r.from ? fits(o, r.from) : false;
  const origin = resumed ? resumeStart(o, r.from!) : first;
  const parts = resumed ? unwrapState(r.from!) : null;
  // (the caller may have read buckets from `origin` on only: a state that fits but cannot be restored is an error)
  if (resumed && !restoreState(engine, parts?.engine ?? r.from!.state)) throw new StaleStateError();
  const at = resumed ? r.from!.at : first;
  const startRow = (at - origin) / o.bucketMs;
  const rows = (open - origin) / o.bucketMs;
  const trace = new Trace(origin, o.bucketMs, rows + (showOpen ? 1 : 0));
  const sq = new Float64Array(trace.length);
  const packed = buckets instanceof Float64Array ? buckets : packBuckets(buckets);
  for (let k = 0; k < packed.length; k += BUCKET_WIDTH) {
    const i = (packed[k]! - origin) / o.bucketMs;
    if (!(i >= 0 && i < trace.length) || !Number.isInteger(i)) continue;
    trace.count[i] = packed[k + 1]!;
    trace.items[i] = packed[k + 2]!;
    trace.scored[i] = packed[k + 3]!;
    trace.sentimentSum[i] = packed[k + 4]!;
    sq[i] = packed[k + 5]!;
  }
  const blind = blindRows(trace, o.blind);
  let snapshot: EngineSnapshot | null = null;
  const saveFrom = r.saveBy === undefined ? Infinity : Math.max(r.saveBy - SAVE_SPAN_MS, resumed ? at + 1 : first + 1);
  // the rows between two at which the state may be saved go through judgeRows in one call
  // (the team's day boundaries, by its standard clock, in its zone)
  const dayShift = o.offsetMs ?? 0;
  const mayBeSavedAt = (i: number) => {
    const t = origin + i * o.bucketMs;
    return t >= saveFrom && t <= r.saveBy! && (t + dayShift) % DAY_MS === 0;
  };
  for (let i = startRow; i < rows; ) {
    if (mayBeSavedAt(i) && !episodeOpen(engine)) {
      const state = saveState(engine);
      if (state) snapshot = { at: origin + i * o.bucketMs, state };
    }
    let end = i + 1;
    while (end < rows && !mayBeSavedAt(end)) end++;
    judgeRows(engine, trace, sq, i, end, blind);
    i = end;
  }
  if (snapshot) snapshot.state = compactState(snapshot.state);
  return { trace, snapshot, resumed, startRow, carried: parts?.carried ?? null };
}

/** Start of the trace's last judged row at or after `from` (null when none is). */
function lastJudgedAt(trace: Trace, from: number, to = trace.length): number | null {
  for (let i = to - 1; i >= from; i--) if (trace.flags[i]! & JUDGED) return trace.start(i);
  return null;
}

/**
 * The engine on rows [from, to) of the trace, each row's verdict (in `verdict`) copied into the trace
 * before the next row. The per-row loop on its own, small: V8 optimises it early and once (with the
 * state saving in it, the loop's function was compiled again and again, each time with serialisation
 * inlined).
 */
function judgeRows(engine: SeriesDetector, trace: Trace, sq: Float64Array, from: number, to: number, blind: Uint8Array | null): void {
  for (let i = from; i < to; i++) {
    // A bucket that meets a period nobody fetched holds at least its count: above the forecast it is
    // judged (a burst that overflowed the feed is still a burst); else it is left out, as a series'
    // missing row (the engine's rings skip it), neither a quiet spell nor learnt from.
    const unfetched = blind !== null && blind[i] === 1;
    if (unfetched && !(trace.count[i]! > (engine.expectedAt(trace.start(i)) ?? Infinity))) {
      trace.flags[i] = UNFETCHED;
      continue;
    }
    const scored = trace.scored[i]!;
    engine.judge(trace.start(i), trace.count[i]!, scored > 0 ? trace.sentimentSum[i]! / scored : NaN, scored, sq[i]!);
    const v = V.verdict[V.V_FLAGS]!;
    let f = v & V.F_LEARNING ? 0 : JUDGED;
    const expected = V.verdict[V.V_EXPECTED]!;
    trace.expected[i] = Number.isNaN(expected) ? 0 : expected;
    trace.volumeScore[i] = V.verdict[V.V_SCORE]!;
    if (v & V.F_MOMENT && v & V.F_EPISODE_UP) f |= SPIKE | (v & V.F_ONSET ? SPIKE_ONSET : v & V.F_GROWTH ? SPIKE_GROWTH : 0);
    if (v & V.F_TONE) {
      const baseline = V.verdict[V.V_TONE_BASELINE]!;
      if (!Number.isNaN(baseline)) {
        trace.toneBaseline[i] = baseline;
        f |= TONE_BASELINE;
      }
      trace.toneScore[i] = V.verdict[V.V_TONE_SURPRISE]!;
      trace.toneItems[i] = V.verdict[V.V_TONE_ITEMS]!;
      const g = V.verdict[V.V_TONE_FLAGS]!;
      if (g & V.T_ACTIVE) f |= (g & V.T_EPISODE_UP ? SWING_UP : SWING_DOWN) | (g & V.T_ONSET ? SWING_ONSET : g & V.T_GROWTH ? SWING_GROWTH : 0);
    }
    trace.flags[i] = unfetched ? f | UNFETCHED : f;
  }
}

/** Per row of the trace, 1 when its bucket meets a period nobody fetched (null when there is none). */
function blindRows(trace: Trace, blind: DetectOptions['blind']): Uint8Array | null {
  if (!blind || blind.length === 0) return null;
  const out = new Uint8Array(trace.length);
  for (const [a, b] of blind) {
    const from = Math.max(0, Math.floor((a - trace.first) / trace.bucketMs));
    const to = Math.min(trace.length, Math.ceil((b - trace.first) / trace.bucketMs));
    for (let i = from; i < to; i++) out[i] = 1;
  }
  return out;
}

/**
 * Detects a topic's moments that reach into [from, asOf]. Explanations (sources, terms, examples) are
 * added by explain().
 */
export function detectMoments(topic: string, buckets: Bucket[] | PackedBuckets, o: DetectOptions): Moment[] {
  return detectResumable(topic, buckets, o).moments;
}

/**
 * detectMoments, resuming from a saved engine state and saving one for a later run (see Resume): the
 * same moments as a replay from the engine start.
 */
export function detectResumable(
  topic: string,
  buckets: Bucket[] | PackedBuckets,
  o: DetectOptions,
  r: Resume = {},
): { moments: Moment[]; snapshot: EngineSnapshot | null; resumed: boolean } {
  const { trace, snapshot, resumed, startRow, carried } = run(buckets, o, r);
  const rising = new Map<Moment, boolean>();
  const spikes = episodes(trace, SPIKE, SPIKE_ONSET, SPIKE_GROWTH, 'up').map((g) => buildMoment(topic, 'volume-spike', g, trace, o, rising));
  const shifts = [...episodes(trace, SWING_UP, SWING_ONSET, SWING_GROWTH, 'positive'), ...episodes(trace, SWING_DOWN, SWING_ONSET, SWING_GROWTH, 'negative')]
    .sort((a, b) => a.first - b.first)
    .map((g) => buildMoment(topic, 'sentiment-shift', { ...g, first: swingStart(trace, g) }, trace, o, rising))
    .filter((m) => !spikes.some((s) => s.start <= m.start && m.end <= s.end));
  // A swing that alerts after the state may begin before it (swingStart looks back up to a day, over counts the
  // resumed trace has), but its rows there were not judged in this run: no expectation, no tone baseline. Such a
  // run cannot give what a replay gives; it is replayed from the start instead (detectAll on StaleStateError).
  if (resumed && shifts.some((m) => m.start < r.from!.at)) throw new StaleStateError();
  // the moments the state carried closed before it (and before any this run found): first, each kind in its order
  // (a shift found here cannot lie within a spike that closed before the state: it ends after it)
  if (carried) {
    // "now" is the last judged bucket, before the state when none after it is
    const live = lastJudgedAt(trace, startRow) ?? carried.lastJudged;
    const before = carried.moments.map((m, k) => {
      const ongoing = m.end >= live;
      const stage: Moment['stage'] = !ongoing ? 'fading' : m.start + m.bucketMs === m.end ? 'new' : carried.rising[k] ? 'rising' : 'peaked';
      const out = { ...m, ongoing, stage, hoursSinceOnset: round(Math.max(0, o.asOf - m.start) / 3_600_000, 1) };
      rising.set(out, carried.rising[k]!);
      return out;
    });
    spikes.unshift(...before.filter((m) => m.kind === 'volume-spike'));
    shifts.unshift(...before.filter((m) => m.kind !== 'volume-spike'));
  }
  const all = [...spikes, ...shifts];
  // an ongoing moment reaches into any window up to asOf, one shorter than a bucket too (its last bucket just ended)
  const fromBucket = bucketStart(o.from, o.bucketMs, shiftOf(o));
  if (snapshot) {
    // carried on: the moments that closed before the state (fired before it), but for those that end by this
    // run's window and before the last judged bucket (no later run that can resume from it reports them)
    const at = snapshot.at;
    const lastJudged = lastJudgedAt(trace, startRow, trace.indexOf(at)) ?? carried?.lastJudged ?? trace.first;
    const kept = all.filter((m) => m.firedAt <= at && !(m.end <= fromBucket && m.end < lastJudged));
    // complete for moments ending after `since` or after the state resumed from (this run found those), less the ones dropped
    const known = !resumed ? engineStart(o) : carried ? Math.min(carried.since, r.from!.at) : r.from!.at;
    const since = Math.max(known, fromBucket);
    snapshot.state = wrapState({ since, lastJudged, blind: blindBefore(o.blind, at), moments: kept, rising: kept.map((m) => rising.get(m)!) }, snapshot.state);
  }
  return { moments: all.filter((m) => m.end > fromBucket || m.ongoing), snapshot, resumed };
}

/** A swing began where the buckets before its alert started leaning its way (within the day before it). */
function swingStart(trace: Trace, g: Group): number {
  const base = trace.baseline(g.first) ?? 0;
  const sign = g.direction === 'negative' ? -1 : 1;
  let first = g.first;
  for (let k = g.first - 1; k >= 0 && (g.first - k) * trace.bucketMs < SWING_LOOK_BACK_MS; k--) {
    const m = trace.sentimentMean(k);
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

/**
 * Runs of rows in one episode (from its onset to its last active row), with their alerts. An episode's
 * rows keep its direction; it may cool down and flare up again without a new onset.
 */
function episodes(trace: Trace, member: number, onset: number, growth: number, direction: MomentDirection): Group[] {
  const out: Group[] = [];
  let current: Group | null = null;
  for (let i = 0; i < trace.length; i++) {
    const f = trace.flags[i]!;
    if (!(f & member)) continue;
    if (f & onset) out.push((current = { first: i, last: i, direction, alerts: [i] }));
    else if (current) {
      current.last = i;
      if (f & growth) current.alerts.push(i);
    }
  }
  return out;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
/** A moment's sparkline: this many buckets before it, at most this many in all. */
const SERIES_LEAD = 4;
const SERIES_MAX = 16;

function buildMoment(topic: string, kind: MomentKind, g: Group, trace: Trace, o: DetectOptions, rising: Map<Moment, boolean>): Moment {
  const volume = kind === 'volume-spike';
  const score = volume ? trace.volumeScore : trace.toneScore;
  const baseline = trace.baseline(g.first);
  // the peak is the bucket with the most stories (the strongest lean, for tone); the score the highest surprise
  const strength = (i: number) => (volume ? trace.count[i]! : Math.abs((trace.sentimentMean(i) ?? 0) - (baseline ?? 0)));
  let peak = g.first;
  let top = 0;
  let totalStories = 0;
  let totalItems = 0;
  let expectedTotal = 0;
  let sentimentSum = 0;
  let sentimentItems = 0;
  for (let i = g.first; i <= g.last; i++) {
    if (strength(i) > strength(peak)) peak = i;
    top = Math.max(top, score[i]!);
    totalStories += trace.count[i]!;
    totalItems += trace.items[i]!;
    expectedTotal += trace.expected[i]!;
    sentimentSum += trace.sentimentSum[i]!;
    sentimentItems += trace.scored[i]!;
  }
  // the last judged bucket stands for "now"
  let live = trace.length - 1;
  while (live > 0 && !(trace.flags[live]! & JUDGED)) live--;
  const ongoing = g.last >= live - 1;
  const growth = g.last > g.first && strength(g.last - 1) > 0 ? round(strength(g.last) / strength(g.last - 1)) : null;
  const stage = !ongoing ? 'fading' : g.first === g.last ? 'new' : strength(g.last) >= strength(peak) ? 'rising' : 'peaked';
  const endOf = (i: number) => trace.start(i) + o.bucketMs;
  const lead = Math.max(0, g.first - SERIES_LEAD, g.last + 1 - SERIES_MAX);
  const m: Moment = {
    topic,
    kind,
    direction: g.direction,
    score: round(top),
    pValue: Number(Math.pow(10, -top).toPrecision(3)),
    start: trace.start(g.first),
    peak: trace.start(peak),
    end: endOf(g.last),
    bucketMs: o.bucketMs,
    ongoing,
    stage,
    firedAt: endOf(g.alerts[0]!),
    alerts: g.alerts.length,
    alertedAt: endOf(g.alerts[g.alerts.length - 1]!),
    storySeries: Array.from(trace.count.subarray(lead, g.last + 1)),
    hoursSinceOnset: round(Math.max(0, o.asOf - trace.start(g.first)) / 3_600_000, 1),
    growth,
    observed: trace.count[peak]!,
    expected: round(trace.expected[peak]!),
    totalStories,
    expectedTotal: round(expectedTotal),
    totalItems,
    sentimentNow: sentimentItems ? round(sentimentSum / sentimentItems, 3) : null,
    sentimentBaseline: baseline === null ? null : round(baseline, 3),
    sentimentItems,
    distinctSources: 0,
    topSources: [],
    sourceTypes: [],
    topTerms: [],
    examples: [],
    caveats: [],
  };
  rising.set(m, strength(g.last) >= strength(peak));
  return m;
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
