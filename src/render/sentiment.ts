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
    positive: r.positive,
    neutral: r.neutral,
    negative: r.negative,
    mixed: r.mixed,
    ...(explain ? { explain: r.explain ?? [] } : {}),
  };
}

const OURS = ['score', 'label', 'language', 'positive', 'neutral', 'negative', 'mixed', 'text'];

export function sentimentSheet(explain: boolean): Sheet<SentimentRecord> {
  const keys = [...OURS, ...(explain ? ['explain'] : [])];
  const columns = keys.map((key): Column<SentimentRecord> => ({ key, value: (r) => toCell(r[key]) }));
  return {
    json: (r) => r,
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
