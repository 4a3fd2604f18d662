import type { SentimentResult } from '../enrich/sentiment.js';
import { toCell } from './formats/cell.js';
import { drawTable } from './table.js';
import { cellText } from './text.js';
import type { Column, Sheet } from './types.js';

/**
 * How `momentscan sentiment` shows its records: each is the input line's own fields, then the text and
 * its scores. The flat formats show ours unless --fields names others (any input field may be named).
 */
export type SentimentRecord = Record<string, unknown>;

/** One input line's record: the input's own fields first, then ours. */
export function sentimentRecord(fields: Record<string, unknown>, text: string, r: SentimentResult, explain: boolean): SentimentRecord {
  return {
    ...fields,
    text,
    score: r.score,
    label: r.label,
    language: r.language,
    // a text not scored (a language momentscan does not read) has no shares either: 0/1/0 read as neutral
    positive: r.score === null ? null : r.positive,
    neutral: r.score === null ? null : r.neutral,
    negative: r.score === null ? null : r.negative,
    mixed: r.score === null ? null : r.mixed,
    ...(explain ? { explain: r.explain ?? [] } : {}),
  };
}

/**
 * Every score and share is a multiple of 1/10,000 in [-1, 1] (4 and 3 decimals): their texts are made
 * once and remembered (writing a number cost more than any other part of a row but the text). A text is
 * kept under k only for the number k / 10,000 itself, so it is the one `${v}` gives.
 */
const decimals = new Array<string | undefined>(20_001).fill(undefined);
function numberText(v: number): string {
  const k = Math.round(v * 10_000);
  if (k < -10_000 || k > 10_000 || k / 10_000 !== v) return `${v}`;
  return (decimals[k + 10_000] ??= `${v}`);
}

/** A scalar JSON value as JSON.stringify writes it; undefined for anything else. */
function scalar(v: unknown): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? numberText(v) : 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v === null ? 'null' : undefined;
}

/**
 * A record's JSON members as JSON.stringify writes them (ndjson: a row in two thirds of the time, and
 * no copy of the record), when the record is ours alone (its first key "text": plain-text input, or JSON
 * lines with no other field) and its fields are what they should be; undefined otherwise.
 */
function sentimentMembers(r: SentimentRecord): string | undefined {
  let first: string | undefined;
  for (const k in r) {
    first = k;
    break;
  }
  if (first !== 'text') return undefined;
  const text = scalar(r.text);
  const score = scalar(r.score);
  const label = scalar(r.label);
  const language = scalar(r.language);
  const positive = scalar(r.positive);
  const neutral = scalar(r.neutral);
  const negative = scalar(r.negative);
  const mixed = scalar(r.mixed);
  if (
    text === undefined || score === undefined || label === undefined || language === undefined ||
    positive === undefined || neutral === undefined || negative === undefined || mixed === undefined
  ) {
    return undefined;
  }
  const head = `"text":${text},"score":${score},"label":${label},"language":${language},"positive":${positive},"neutral":${neutral},"negative":${negative},"mixed":${mixed}`;
  return r.explain === undefined ? head : `${head},"explain":${JSON.stringify(r.explain)}`;
}

const OURS = ['score', 'label', 'language', 'positive', 'neutral', 'negative', 'mixed', 'text'];

export function sentimentSheet(explain: boolean): Sheet<SentimentRecord> {
  const keys = [...OURS, ...(explain ? ['explain'] : [])];
  const columns = keys.map((key): Column<SentimentRecord> => ({ key, value: (r) => toCell(r[key]) }));
  return {
    json: (r) => r,
    jsonMembers: sentimentMembers,
    columns,
    keys,
    open: true,
    table: (rows, ctx) =>
      drawTable(
        { head: ['Score', 'Label', 'Lang', 'Text'], widths: [8, 10, 6, 'fill'], right: [0] },
        rows.map((r) => [typeof r.score === 'number' ? r.score.toFixed(3) : '', String(r.label ?? ''), String(r.language ?? ''), cellText(String(r.text))]),
        ctx,
      ),
  };
}
