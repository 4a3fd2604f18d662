import { stripControl } from '../../core/text.js';
import type { Cell, Renderer } from '../types.js';

function mdCell(cell: Cell): string {
  if (cell === null) return '';
  return stripControl(String(cell)).replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** A GitHub-flavoured Markdown table of the flat columns. */
export const renderMarkdown: Renderer = (listing, ctx) => {
  const head = `| ${listing.columns.map((c) => c.key).join(' | ')} |`;
  const rule = `| ${listing.columns.map(() => '---').join(' | ')} |`;
  const body = listing.rows.map((r) => `| ${listing.columns.map((c) => mdCell(c.value(r))).join(' | ')} |`);
  const lines = ctx.headers === false ? body : [head, rule, ...body];
  return lines.length ? `${lines.join('\n')}\n` : '';
};
