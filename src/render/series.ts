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

export const seriesSheet: Sheet<SeriesScore> = {
  json: seriesJson,
  columns: COLUMNS,
  keys: ['timestamp', 'value', 'expected', 'score', 'moment', 'alert', 'learning', 'sentimentScore', 'shift', 'toneAlert'],
  table: (rows, ctx) =>
    drawTable(
      { head: ['Timestamp (UTC)', 'Value', 'Expected', 'Score', 'Moment', 'Alert'], widths: [26, 'fill', 'fill', 9, 8, 10], right: [1, 2, 3], minFill: 9 },
      rows.map((s) => {
        const expected = expectedOf(s);
        return [fastIso(s.t), String(s.value), expected === null ? 'learning' : String(expected), String(scoreOf(s)), s.moment ? 'yes' : '', s.alert ?? ''];
      }),
      ctx,
    ),
};
