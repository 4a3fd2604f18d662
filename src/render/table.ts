import type { RenderContext } from './types.js';

/**
 * The human tables: a box around a header and rows, no line between rows, one line per row (cells cut
 * with … to their column), the whole as wide as the terminal at most (`ctx.width`, 80 at least; 100 when
 * piped). Linear in the rows: 100,000 rows draw in well under a second (cli-table3 slowed down as tables grew).
 */

export interface TableSpec {
  head: string[];
  /**
   * Each column's width including one space either side; `'fill'` columns share what the terminal has
   * left (`minFill` each, when there is room for it). Fixed columns are kept; a table whose fixed columns
   * alone overflow 80 columns is the caller's mistake.
   */
  widths: (number | 'fill')[];
  /** Right-align these columns (numbers). */
  right?: number[];
  minFill?: number;
}

/** The width a table may take: the terminal's (80 at least, 200 at most). */
export function tableWidth(ctx: RenderContext): number {
  return Math.max(80, Math.min(ctx.width, 200));
}

const ANSI = /\x1b\[[0-9;]*m/g;
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO = /[\u0300-\u036f\u200b-\u200f\ufe00-\ufe0f]/;

/** Columns a string takes on a terminal (colour codes take none, East Asian wide characters two). */
export function displayWidth(s: string): number {
  const plain = s.includes('\x1b') ? s.replace(ANSI, '') : s;
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(plain)) return plain.length;
  let w = 0;
  for (const ch of plain) w += ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
  return w;
}

/** `s` cut to `width` columns (… marks the cut; colour codes are dropped from a cut cell), padded to it. */
function fit(s: string, width: number, right: boolean): string {
  let w = displayWidth(s);
  let out = s;
  if (w > width) {
    const plain = s.replace(ANSI, '');
    let acc = '';
    let used = 0;
    for (const ch of plain) {
      const cw = ZERO.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
      if (used + cw > width - 1) break;
      acc += ch;
      used += cw;
    }
    out = `${acc}…`;
    w = used + 1;
  }
  const pad = ' '.repeat(Math.max(0, width - w));
  return right ? pad + out : out + pad;
}

/** Draws the table; `rows` are the cells as shown (already free of control characters). */
export function drawTable(spec: TableSpec, rows: string[][], ctx: RenderContext): string {
  const total = tableWidth(ctx);
  const fixed = spec.widths.reduce<number>((s, w) => s + (w === 'fill' ? 0 : w), 0);
  const borders = spec.widths.length + 1;
  const room = Math.max(0, total - fixed - borders);
  const fills = spec.widths.filter((w) => w === 'fill').length;
  // the minimum holds when the terminal has room for it; otherwise the table still fits, its fill columns narrower
  const minFill = Math.min(spec.minFill ?? 12, Math.max(3, Math.floor(room / Math.max(1, fills))));
  let left = room;
  const widths = spec.widths.map((w, i) => {
    if (w !== 'fill') return w;
    const k = spec.widths.slice(i).filter((x) => x === 'fill').length;
    const share = Math.max(minFill, Math.floor(left / k));
    left -= share;
    return share;
  });
  const right = new Set(spec.right ?? []);
  const grey = (s: string) => (ctx.color ? ctx.chalk.grey(s) : s);
  const bold = (s: string) => (ctx.color ? ctx.chalk.bold(s) : s);
  const line = (l: string, m: string, r: string) => grey(l + widths.map((w) => '─'.repeat(w)).join(m) + r);
  const bar = grey('│');
  const row = (cells: string[], head = false) =>
    bar +
    widths
      .map((w, i) => {
        const cell = fit(cells[i] ?? '', Math.max(1, w - 2), right.has(i) && !head);
        return ` ${head ? bold(cell) : cell} `;
      })
      .join(bar) +
    bar;
  const out: string[] = [line('┌', '┬', '┐'), row(spec.head, true), line('├', '┼', '┤')];
  for (const r of rows) out.push(row(r));
  out.push(line('└', '┴', '┘'));
  return `${out.join('\n')}\n`;
}

/** Tables longer than this are slow to read on a terminal: a note on stderr suggests a machine format. */
export const BIG_TABLE_ROWS = 5000;
