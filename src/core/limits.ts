import { formatDuration } from './time.js';

/**
 * Bounds on what one evaluation may ask for. Detection keeps a few typed arrays per bucket (the period,
 * its baseline before it, and a few days of look-back), so memory grows with (period + baseline) ÷ bucket;
 * a request past these bounds is a usage or config error, said in one line, before anything is allocated.
 * Documented in the README ("Limits").
 */

const DAY = 86_400_000;

/** The most buckets one topic's evaluation may span: (period + baseline) ÷ bucket. About half a GB at most. */
export const MAX_BUCKETS = 1_000_000;
/** The most buckets `timeline` lists (one row each): period ÷ bucket. */
export const MAX_LISTED_BUCKETS = 100_000;
/** The longest period (`--since`) and the longest baseline: ten years. */
export const MAX_SPAN_MS = 3650 * DAY;
/** The bucket `auto` picks (detect's autoBucket: 15 minutes for every topic). */
export const AUTO_BUCKET_MIN_MS = 15 * 60_000;

/**
 * The engine starts on a grid of this step (from the epoch), so runs within one step start from the same
 * state and agree on every alert; a topic younger than the history below starts at its first item.
 */
export const ENGINE_GRID_MS = 28 * DAY;

/**
 * How much history before the reporting window the engine runs over, at most: the baseline, at least
 * eight weeks, plus up to a grid step of rounding (detect's engineStart).
 */
export function engineHistoryMs(baselineMs: number): number {
  return Math.max(56 * DAY, baselineMs) + ENGINE_GRID_MS;
}
/** Evaluation times (`--as-of`) from 1970 to the end of 9999, UTC. */
export const EARLIEST_AS_OF = 0;
export const LATEST_AS_OF = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A problem with a request, for the caller to throw as a usage or config error. */
export interface LimitProblem {
  message: string;
  hint: string;
}

/** Buckets of `bucketMs` (auto: the auto bucket) that `spanMs`, with the engine's history for a baseline of `baselineMs` before it, takes. */
export function bucketsSpanned(spanMs: number, baselineMs: number, bucketMs: number | 'auto'): number {
  const b = bucketMs === 'auto' ? AUTO_BUCKET_MIN_MS : bucketMs;
  return Math.ceil((spanMs + engineHistoryMs(baselineMs)) / b);
}

/** "1,000,000" */
export function fmtCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : String(n);
}

/** A duration rounded down to whole days (or hours, or minutes, when shorter), for hints: "680d", not "680d10h40m". */
function roughly(ms: number): string {
  const unit = ms >= DAY ? DAY : ms >= 3_600_000 ? 3_600_000 : 60_000;
  return formatDuration(Math.floor(ms / unit) * unit);
}

/** The shortest bucket (whole minutes) that keeps `ms` within `max` buckets, as a duration ("3h30m"). */
function smallestBucket(ms: number, max: number): string {
  return formatDuration(Math.ceil(ms / max / 60_000) * 60_000);
}

/**
 * A config's baseline with a bucket size: at most ten years, and at most MAX_BUCKETS buckets of it (leaving
 * the period its share is the caller's job, per request). `bucketField` names where the bucket was set.
 * The message is the part after the field path: "must be at most 3650d (ten years)".
 */
export function baselineProblem(baselineMs: number, bucketMs: number | 'auto', bucketField: string): string | null {
  if (baselineMs > MAX_SPAN_MS) return `must be at most ${formatDuration(MAX_SPAN_MS)} (ten years), got ${formatDuration(baselineMs)}`;
  const n = bucketsSpanned(0, baselineMs, bucketMs);
  if (n > MAX_BUCKETS) {
    const b = bucketMs === 'auto' ? AUTO_BUCKET_MIN_MS : bucketMs;
    return (
      `${formatDuration(baselineMs)} of ${formatDuration(b)} buckets (${bucketField}) is ${fmtCount(n)} buckets, more than the ${fmtCount(MAX_BUCKETS)} ` +
      `momentscan works with; give a shorter baseline (at most ${roughly(MAX_BUCKETS * b - ENGINE_GRID_MS)}) or buckets of at least ${smallestBucket(engineHistoryMs(baselineMs), MAX_BUCKETS)}`
    );
  }
  return null;
}

export interface WindowRequest {
  /** What was typed for the period and the evaluation time ("99999999d", "last"), and where ("--since"). */
  since: string;
  sinceFlag?: string;
  asOfText?: string;
  from: number;
  asOf: number;
  baselineMs: number;
  /** Every bucket size the request evaluates with, and where it was set ("topics[0].bucket", "--bucket 1m"). */
  buckets: { bucketMs: number | 'auto'; source: string }[];
  /** Also bound the buckets listed (period ÷ bucket) by this, e.g. MAX_LISTED_BUCKETS for `timeline`. */
  maxListed?: number;
}

/**
 * The first problem with an evaluation window, or null: an evaluation time outside 1970–9999, a period of
 * more than ten years, or more buckets than MAX_BUCKETS (period + the engine's history) or `maxListed` (period alone)
 * at any of the bucket sizes. Pure: the caller throws.
 */
export function windowProblem(r: WindowRequest): LimitProblem | null {
  const flag = r.sinceFlag ?? '--since';
  if (!(r.asOf >= EARLIEST_AS_OF && r.asOf <= LATEST_AS_OF)) {
    return {
      message: `--as-of${r.asOfText ? ` ${r.asOfText}` : ''} is ${r.asOf < EARLIEST_AS_OF ? 'before 1970' : 'after 9999'}`,
      hint: 'give a time such as 2026-11-20T12:00:00Z, or a duration ago such as 24h',
    };
  }
  const span = r.asOf - r.from;
  if (!(span <= MAX_SPAN_MS)) {
    return {
      message: `${flag} ${r.since} reaches back more than ten years (${formatDuration(MAX_SPAN_MS)}) before the evaluation time`,
      hint: `give a shorter period, such as 30d or 365d (at most ${formatDuration(MAX_SPAN_MS)})`,
    };
  }
  const seen = new Set<string>();
  for (const { bucketMs, source } of r.buckets) {
    if (seen.has(source)) continue;
    seen.add(source);
    const b = bucketMs === 'auto' ? AUTO_BUCKET_MIN_MS : bucketMs;
    const total = bucketsSpanned(span, r.baselineMs, bucketMs);
    const listed = Math.ceil(span / b);
    const history = engineHistoryMs(r.baselineMs);
    const over = total > MAX_BUCKETS ? { n: total, max: MAX_BUCKETS, ms: span + history, what: `with the ${formatDuration(history)} of history before it` } : null;
    const overListed = !over && r.maxListed !== undefined && listed > r.maxListed ? { n: listed, max: r.maxListed, ms: span, what: 'to list' } : null;
    const o = over ?? overListed;
    if (!o) continue;
    const room = o === over ? o.max * b - history : o.max * b;
    return {
      message: `${flag} ${r.since} at ${formatDuration(b)} buckets (${source}) is ${fmtCount(o.n)} buckets ${o.what}, more than the ${fmtCount(o.max)} momentscan works with`,
      hint:
        room >= 60_000
          ? `give a shorter ${flag} (at most ${roughly(room)} at this bucket size) or buckets of at least ${smallestBucket(o.ms, o.max)}`
          : `give buckets of at least ${smallestBucket(o.ms, o.max)}`,
    };
  }
  return null;
}
