import { stripEscapes } from '../../core/text.js';
import type { Cell, FormatWriter } from '../types.js';

/**
 * Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading
 * apostrophe; numbers stay numbers. Escape sequences go from every text cell (a CSV is read in terminals
 * too: cat, less -R), header names included.
 */
export function neutralize(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell !== 'string') return String(cell);
  const text = stripEscapes(cell);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: quote when needed, double the quotes. */
export function csvCell(cell: Cell): string {
  const s = neutralize(cell);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function tsvCell(cell: Cell): string {
  return neutralize(cell).replace(/[\t\r\n]+/g, ' ');
}

/** RFC 4180 CSV, CRLF line ends, a header line unless --no-headers. */
export const csv: FormatWriter = (sheet, ctx) => ({
  head: () => (ctx.headers === false ? '' : `${sheet.columns.map((c) => csvCell(c.key)).join(',')}\r\n`),
  row: (r) => `${sheet.columns.map((c) => csvCell(c.value(r))).join(',')}\r\n`,
  end: () => '',
});

/** Tab-separated values: tabs and line breaks in a cell become a space. */
export const tsv: FormatWriter = (sheet, ctx) => ({
  head: () => (ctx.headers === false ? '' : `${sheet.columns.map((c) => tsvCell(c.key)).join('\t')}\n`),
  row: (r) => `${sheet.columns.map((c) => tsvCell(c.value(r))).join('\t')}\n`,
  end: () => '',
});
