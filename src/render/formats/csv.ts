import { stripEscapes } from '../../core/text.js';
import type { Cell, Renderer } from '../types.js';

/**
 * Text cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading
 * apostrophe; numbers stay numbers.
 */
export function neutralize(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell !== 'string') return String(cell);
  // a cell read in a terminal (cat, less -R) must not drive it: escape sequences go
  const text = stripEscapes(cell);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: quote when needed, double the quotes, CRLF line ends. */
function csvCell(cell: Cell): string {
  const s = neutralize(cell);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function tsvCell(cell: Cell): string {
  return neutralize(cell).replace(/[\t\r\n]+/g, ' ');
}

export const renderCsv: Renderer = (listing, ctx) => {
  const lines = ctx.headers === false ? [] : [listing.columns.map((c) => csvCell(c.key)).join(',')];
  for (const row of listing.rows) lines.push(listing.columns.map((c) => csvCell(c.value(row))).join(','));
  return lines.length ? `${lines.join('\r\n')}\r\n` : '';
};

export const renderTsv: Renderer = (listing, ctx) => {
  const lines = ctx.headers === false ? [] : [listing.columns.map((c) => c.key).join('\t')];
  for (const row of listing.rows) lines.push(listing.columns.map((c) => tsvCell(c.value(row))).join('\t'));
  return lines.length ? `${lines.join('\n')}\n` : '';
};
