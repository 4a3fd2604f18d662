import { iso } from '../core/time.js';
import type { SeriesScore } from '../detect/series.js';
import { drawTable } from './table.js';
import type { Column, Sheet } from './types.js';

/** How `momentscan detect` shows a scored series: one row per input row (see README, "momentscan detect"). */

let isoDay = NaN;
let isoPrefix = '';
const two = (n: number) => (n < 10 ? `0${n}` : String(n));
/** "HH:MM:SSZ" per second of the day, made when first needed. */
const clock: string[] = [];
/** iso() for a million rows: the date part is formatted once per day, the time once per time of day. */
function fastIso(t: number): string {
  if (t % 1000 !== 0) return iso(t);
  const day = Math.floor(t / 86_400_000);
  if (day !== isoDay) {
    isoDay = day;
    isoPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  // (years past 9999 or before 0 are written "+012000-…" / "-000001-…": the whole way)
  if (isoPrefix[10] !== 'T') return iso(t);
  const s = Math.floor((t - day * 86_400_000) / 1000);
  return isoPrefix + (clock[s] ??= `${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}Z`);
}

const expectedOf = (s: SeriesScore) => (s.expected === null ? null : Math.round(s.expected * 1000) / 1000);
const scoreOf = (s: SeriesScore) => Math.round(s.score * 100) / 100;

/** The documented record of a scored row. */
export function seriesJson(s: SeriesScore): Record<string, unknown> {
  return {
    timestamp: fastIso(s.t),
    value: s.value,
    expected: expectedOf(s),
    score: scoreOf(s),
    moment: s.moment,
    alert: s.alert,
    // tone: null on rows without it (no sentiment column, or still learning)
    sentimentScore: s.tone ? Math.round(s.tone.surprise * 100) / 100 : null,
    shift: s.tone?.active ? (s.tone.episode > 0 ? 'positive' : 'negative') : null,
    toneAlert: s.tone?.alert ?? null,
    learning: s.learning,
  };
}

const COLUMNS: Column<SeriesScore>[] = [
  { key: 'timestamp', value: (s) => fastIso(s.t) },
  { key: 'value', value: (s) => s.value },
  { key: 'expected', value: expectedOf },
  { key: 'score', value: scoreOf },
  { key: 'moment', value: (s) => s.moment },
  { key: 'alert', value: (s) => s.alert },
];

/** The default CSV's header; lines end CRLF like every CSV momentscan writes (RFC 4180). */
export const SERIES_HEADER = `${COLUMNS.map((c) => c.key).join(',')}\r\n`;

/** The default CSV's line, straight to text (no record per row: a million rows go through here). */
export function seriesCsvLine(s: SeriesScore): string {
  const expected = expectedOf(s);
  return `${fastIso(s.t)},${s.value},${expected === null ? '' : expected},${scoreOf(s)},${s.moment},${s.alert ?? ''}\r\n`;
}

/** The longest line writeSeriesCsvLine writes (bytes): a row holds four numbers of at most 25 characters. */
export const SERIES_CSV_LINE_MAX = 256;

/**
 * seriesCsvLine's line written straight as bytes into `out` at `at` (SERIES_CSV_LINE_MAX bytes free),
 * for `detect` on a long series: the same bytes, without a string per row. `expected` is NaN for null.
 * Returns where the line ends.
 */
export function writeSeriesCsvLine(out: Buffer, at: number, t: number, value: number, expected: number, score: number, moment: boolean, alert: 'onset' | 'growth' | null): number {
  at = putIso(out, at, t);
  out[at++] = 44;
  at = Number.isInteger(value) && Math.abs(value) < EXACT ? putInt(out, at, value) : at + out.write(String(value), at, 'latin1');
  out[at++] = 44;
  if (!Number.isNaN(expected)) at = putRounded(out, at, Math.round(expected * 1000), 1000);
  out[at++] = 44;
  at = putRounded(out, at, Math.round(score * 100), 100);
  out[at++] = 44;
  at = putBytes(out, at, moment ? TRUE_COMMA : FALSE_COMMA);
  if (alert !== null) at = putBytes(out, at, alert === 'onset' ? ONSET : GROWTH);
  out[at++] = 13;
  out[at++] = 10;
  return at;
}

// (short constant texts copied byte by byte: Buffer#write and #copy cost a call into C++ each)
const TRUE_COMMA = Buffer.from('true,', 'latin1');
const FALSE_COMMA = Buffer.from('false,', 'latin1');
const ONSET = Buffer.from('onset', 'latin1');
const GROWTH = Buffer.from('growth', 'latin1');

function putBytes(out: Buffer, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) out[at + i] = bytes[i]!;
  return at + bytes.length;
}

/** Whole numbers below this are written digit by digit (and exactly: below 2^53). */
const EXACT = 1e15;
let byteDay = NaN;
/** "YYYY-MM-DDT" of byteDay, when it is that long (years 0 to 9999). */
const dayBytes = Buffer.alloc(11);
let dayFits = false;

/** fastIso(t) as bytes. */
function putIso(out: Buffer, at: number, t: number): number {
  if (t % 1000 === 0) {
    const day = Math.floor(t / 86_400_000);
    if (day !== byteDay) {
      const prefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
      byteDay = day;
      dayFits = prefix[10] === 'T'; // (not "+012000-01-…": years 0 to 9999)
      if (dayFits) dayBytes.write(prefix, 0, 'latin1');
    }
    if (dayFits) {
      at = putBytes(out, at, dayBytes);
      // (the second of the day, 0 to 86,399, in integer arithmetic: on doubles each % is a call)
      const s = ((t - day * 86_400_000) / 1000) | 0;
      at = put2(out, at, (s / 3600) | 0);
      out[at++] = 58;
      at = put2(out, at, ((s % 3600) / 60) | 0);
      out[at++] = 58;
      at = put2(out, at, s % 60);
      out[at++] = 90;
      return at;
    }
  }
  return at + out.write(fastIso(t), at, 'latin1');
}

/** n (0 to 99, a whole number) as two digits. */
function put2(out: Buffer, at: number, n: number): number {
  const tens = (n / 10) | 0;
  out[at] = 48 + tens;
  out[at + 1] = 48 + (n - tens * 10);
  return at + 2;
}

/** String(k) for a whole number |k| < EXACT. */
function putInt(out: Buffer, at: number, k: number): number {
  if (k < 0) {
    out[at++] = 45;
    k = -k;
  }
  let digits = 1;
  for (let p = 10; p <= k; p *= 10) digits++;
  if (k <= 0x7fffffff) {
    // (in integer arithmetic, the same digits: on doubles each % is a call)
    let n = k | 0;
    for (let i = at + digits - 1; i >= at; i--) {
      const q = (n / 10) | 0;
      out[i] = 48 + (n - q * 10);
      n = q;
    }
    return at + digits;
  }
  for (let i = at + digits - 1; i >= at; i--) {
    out[i] = 48 + (k % 10);
    k = Math.floor(k / 10);
  }
  return at + digits;
}

/**
 * String(k / scale) for a whole number k and scale 100 or 1000: the decimal k / scale without trailing
 * zeros, which is the shortest text that reads back as that double while |k / scale| < 1e12 (doubles
 * there are much closer together than 1 / scale); larger ones, and NaN or infinities, through String().
 */
function putRounded(out: Buffer, at: number, k: number, scale: number): number {
  if (!(Math.abs(k) < EXACT)) return at + out.write(String(k / scale), at, 'latin1');
  if (k < 0) {
    out[at++] = 45;
    k = -k;
  }
  const whole = Math.floor(k / scale);
  const frac = k - whole * scale;
  at = putInt(out, at, whole);
  if (frac === 0) return at;
  out[at++] = 46;
  let width = scale === 1000 ? 3 : 2;
  // (frac is a whole number from 1 to scale − 1: integer arithmetic gives the same digits)
  let f = frac | 0;
  while (f % 10 === 0) {
    f = (f / 10) | 0;
    width--;
  }
  for (let i = at + width - 1; i >= at; i--) {
    const q = (f / 10) | 0;
    out[i] = 48 + (f - q * 10);
    f = q;
  }
  return at + width;
}

export const seriesSheet: Sheet<SeriesScore> = {
  json: seriesJson,
  columns: COLUMNS,
  keys: ['timestamp', 'value', 'expected', 'score', 'moment', 'alert', 'learning', 'sentimentScore', 'shift', 'toneAlert'],
  table: (rows, ctx) => {
    // a series with sentiment and n columns is judged on its tone too: a Tone column says where it shifts
    // (which way, and its alert), as the JSON's shift and toneAlert do; to fit 80 columns, Moment then says
    // the burst's alert itself (onset, growth) or yes
    if (rows.some((s) => s.tone)) {
      return drawTable(
        { head: ['Timestamp (UTC)', 'Value', 'Expected', 'Score', 'Moment', 'Tone'], widths: [22, 'fill', 'fill', 7, 8, 16], right: [1, 2, 3], minFill: 9 },
        rows.map((s) => {
          const expected = expectedOf(s);
          const shift = s.tone?.active ? (s.tone.episode > 0 ? 'positive' : 'negative') : '';
          return [fastIso(s.t), String(s.value), expected === null ? 'learning' : String(expected), String(scoreOf(s)), s.alert ?? (s.moment ? 'yes' : ''), [shift, s.tone?.alert ?? ''].filter(Boolean).join(' ')];
        }),
        ctx,
      );
    }
    return drawTable(
      { head: ['Timestamp (UTC)', 'Value', 'Expected', 'Score', 'Moment', 'Alert'], widths: [26, 'fill', 'fill', 9, 8, 10], right: [1, 2, 3], minFill: 9 },
      rows.map((s) => {
        const expected = expectedOf(s);
        return [fastIso(s.t), String(s.value), expected === null ? 'learning' : String(expected), String(scoreOf(s)), s.moment ? 'yes' : '', s.alert ?? ''];
      }),
      ctx,
    );
  },
};
