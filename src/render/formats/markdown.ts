import { mdText } from '../text.js';
import type { Cell, FormatWriter } from '../types.js';

/** A cell that is a web address and nothing else (a link column: link, canonicalUrl, topLink, feedUrl). */
const URL_CELL = /^https?:\/\/[^\s<>"\\\x00-\x1f\x7f-\x9f]+$/i;

/**
 * Feed text cannot add markup, links, images or HTML, nor break out of its cell. A cell that is a web
 * address is written as an autolink, `<https://…>`, whole: escaped like text (`glide\_recall`, `a=1\&b=2`),
 * GitHub's and GitLab's bare-URL links would keep the backslashes in the address and lead nowhere; a `|`
 * in it, which would end the cell, is written %7C.
 */
const mdCell = (cell: Cell): string => {
  if (cell === null) return '';
  if (typeof cell === 'string' && URL_CELL.test(cell)) return `<${cell.replace(/\|/g, '%7C')}>`;
  return mdText(String(cell));
};

/** A GitHub-flavoured Markdown table of the flat columns. */
export const markdown: FormatWriter = (sheet, ctx) => ({
  head: () => (ctx.headers === false ? '' : `| ${sheet.columns.map((c) => mdCell(c.key)).join(' | ')} |\n| ${sheet.columns.map(() => '---').join(' | ')} |\n`),
  row: (r) => `| ${sheet.columns.map((c) => mdCell(c.value(r))).join(' | ')} |\n`,
  end: () => '',
});
