import { createRequire } from 'node:module';
import type TableClass from 'cli-table3';
import { clip, textWidth, unglueEmoji } from './text.js';
import type { RenderContext } from './types.js';

/** cli-table3, loaded when a table is first drawn (about 20 ms of start-up that a command printing no table never needs). */
let Table: typeof TableClass | undefined;
const tableClass = (): typeof TableClass => (Table ??= createRequire(import.meta.url)('cli-table3') as typeof TableClass);

/**
 * The human tables: a box around a header and rows, no line between rows, one line per row (cells cut
 * with … to their column), the whole as wide as the terminal at most (`ctx.width`, 80 at least; 100 when
 * piped). Drawn by cli-table3 (the frame) and
 * here (the rows: see drawTable), so that the time is linear in the rows and small.
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
  /**
   * Fill columns served first, in this order: each takes its content's width (up to `max`, at least
   * FIT_MIN), as long as the fill columns after it keep theirs (FIT_MIN for those listed here, `minFill`
   * for the others, which share what is left). For the short columns that tell rows apart (a feed's
   * Source, an item's Accounts) beside a long one that may be cut (a title).
   */
  fit?: { col: number; max: number }[];
}

/** The least a `fit` column is given: six columns of text. */
const FIT_MIN = 8;

/** The narrowest terminal tables are made for: on a narrower one they are drawn this wide all the same. */
export const MIN_TABLE_WIDTH = 80;

/** The width a table may take: the terminal's (80 at least, 200 at most). */
export function tableWidth(ctx: RenderContext): number {
  return Math.max(MIN_TABLE_WIDTH, Math.min(ctx.width, 200));
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** Columns a string takes on a terminal (colour codes take none; see text.ts textWidth). */
export function displayWidth(s: string): number {
  return textWidth(s.includes('\x1b') ? s.replace(ANSI, '') : s);
}

/** `s` cut to `width` columns (… marks the cut; colour codes are dropped from a cut cell), padded to it. */
function fit(cell: string, width: number, right: boolean): string {
  const s = unglueEmoji(cell);
  let w = displayWidth(s);
  let out = s;
  if (w > width) {
    out = clip(s.replace(ANSI, ''), width);
    w = textWidth(out);
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
  // (with spec.fit, its columns may come down to FIT_MIN before the others go below minFill)
  const fitted = spec.fit?.length ?? 0;
  const minFill = Math.min(spec.minFill ?? 12, Math.max(3, Math.floor((room - fitted * FIT_MIN) / Math.max(1, fills - fitted))));
  const served = fitWidths(spec, rows, room, minFill);
  let left = room - [...served.values()].reduce((a, b) => a + b, 0);
  const widths = spec.widths.map((w, i) => {
    if (w !== 'fill') return w;
    const fitted = served.get(i);
    if (fitted !== undefined) return fitted;
    const k = spec.widths.slice(i).filter((x, j) => x === 'fill' && !served.has(i + j)).length;
    const share = Math.max(minFill, Math.floor(left / k));
    left -= share;
    return share;
  });
  const right = new Set(spec.right ?? []);
  const bold = (x: string) => (ctx.color ? ctx.chalk.bold(x) : x);
  // cells are cut to their columns here (cli-table3 would wrap or miscount wide characters). cli-table3
  // draws the frame: the top border, the header, the rule under it, the first row and the bottom border.
  // The other rows, already cut and padded, are joined here with its vertical bar: drawn by cli-table3 a
  // row costs ≈150 µs (it measures and re-pads every cell again, compiling a regular expression for each),
  // 3 s of the 7 s an `items --all` table of 20,000 rows took. The first row is drawn both ways and must
  // come out the same; if it ever does not, every row is drawn by cli-table3 (slow but right).
  const cells = (r: string[], head: boolean) => widths.map((w, i) => (head ? bold : String)(fit(r[i] ?? '', Math.max(1, w - 2), right.has(i) && !head)));
  const draw = (body: string[][]): string[] => {
    const t = new (tableClass())({
      head: cells(spec.head, true),
      colWidths: widths,
      wordWrap: false,
      // colour is decided here, not by cli-table3 (it colours borders even when piped)
      style: { head: [], border: [], compact: true, 'padding-left': 1, 'padding-right': 1 },
    });
    for (const r of body) t.push(cells(r, false));
    return t.toString().split('\n');
  };
  if (rows.length === 0) return `${draw([]).join('\n')}\n`;
  const frame = draw(rows.slice(0, 1)); // top, head, rule, the first row, bottom
  const joined = (r: string[]): string => `│ ${cells(r, false).join(' │ ')} │`;
  if (frame.length !== 5 || joined(rows[0]!) !== frame[3]) return `${draw(rows).join('\n')}\n`;
  const out = frame.slice(0, 4);
  for (let i = 1; i < rows.length; i++) out.push(joined(rows[i]!));
  out.push(frame[4]!);
  return `${out.join('\n')}\n`;
}

/** The widths of spec.fit's columns (see TableSpec.fit), by column. */
function fitWidths(spec: TableSpec, rows: string[][], room: number, minFill: number): Map<number, number> {
  const out = new Map<number, number>();
  if (!spec.fit?.length) return out;
  const need = (i: number) => rows.reduce((w, r) => Math.max(w, displayWidth(unglueEmoji(r[i] ?? ''))), displayWidth(spec.head[i] ?? '')) + 2;
  const fitNeed = new Map(spec.fit.map((f) => [f.col, Math.min(need(f.col), f.max)]));
  const others = spec.widths.filter((w, i) => w === 'fill' && !fitNeed.has(i)).length;
  let avail = room;
  spec.fit.forEach((f, n) => {
    const later = spec.fit!.slice(n + 1).reduce((sum, g) => sum + Math.min(FIT_MIN, fitNeed.get(g.col)!), 0) + others * minFill;
    const w = Math.max(Math.min(FIT_MIN, fitNeed.get(f.col)!), Math.min(fitNeed.get(f.col)!, avail - later));
    out.set(f.col, w);
    avail -= w;
  });
  return out;
}

/** Tables longer than this are slow to read on a terminal: a note on stderr suggests a machine format. */
export const BIG_TABLE_ROWS = 5000;
