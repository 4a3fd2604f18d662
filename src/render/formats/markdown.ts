import { mdText } from '../text.js';
import type { Cell, FormatWriter } from '../types.js';

/** Feed text cannot add markup, links, images or HTML, nor break out of its cell. */
const mdCell = (cell: Cell): string => (cell === null ? '' : mdText(String(cell)));

/** A GitHub-flavoured Markdown table of the flat columns. */
export const markdown: FormatWriter = (sheet, ctx) => ({
  head: () => (ctx.headers === false ? '' : `| ${sheet.columns.map((c) => mdCell(c.key)).join(' | ')} |\n| ${sheet.columns.map(() => '---').join(' | ')} |\n`),
  row: (r) => `| ${sheet.columns.map((c) => mdCell(c.value(r))).join(' | ')} |\n`,
  end: () => '',
});
