import { stripControl } from '../core/text.js';
import { fmtIn, fmtShortIn, fmtSpanIn, zoneLabel } from '../core/time.js';

/**
 * A time in a line for people, as the tables and the digest show times: on the team's clock (`tz`) with its
 * name, "2026-11-20 13:00 CET", and without a zone "2026-11-20 12:00 UTC" (the machine formats say ISO-8601).
 */
export function shownAt(ms: number, tz = 'UTC'): string {
  return fmtIn(ms, tz);
}

/** A span in a line for people: "2026-11-18 12:00 → 2026-11-19 00:00 UTC", the zone named once (at each end when the clocks changed between). */
export function shownSpan(from: number, to: number, tz = 'UTC'): string {
  return fmtSpanIn(from, to, tz);
}

// (a time standing as a word: one inside an address, `?since=2026-11-20T13:00:00Z`, is the address's)
const ISO_UTC = /(?<=^|[\s(\["'])\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z(?![\w/?&=#])/g;
/**
 * A message for people (a feed's stored error, a note on stderr) with the ISO-8601 UTC times in it
 * (`… retried by the first fetch after 2026-11-20T13:00:00Z`) on the team's clock, as shownAt says them:
 * `… after 2026-11-20 14:00 CET`, or `… after 2026-11-20 13:00 UTC` without a zone. (The machine formats
 * keep the message as it is.)
 */
export function zonedText(text: string, tz = 'UTC'): string {
  return text.replace(ISO_UTC, (t) => {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? fmtIn(ms, tz) : t;
  });
}

/**
 * A table's column of times on the zone's clock: its head names the zone ("Published (UTC)", "Published (CET)"),
 * or, when the clocks changed within the rows, each cell does ("2026-10-25 02:30 CEST": that hour came twice).
 * Its width fits the head and the cells (18 at least).
 */
export function timeColumn(name: string, times: readonly number[], tz = 'UTC'): { head: string; width: number; cell: (ms: number) => string } {
  const labels = [...new Set(times.length ? times.map((t) => zoneLabel(t, tz)) : [zoneLabel(0, tz)])];
  if (labels.length === 1) {
    const head = `${name} (${labels[0]})`;
    return { head, width: Math.max(18, textWidth(head) + 2), cell: (ms) => fmtShortIn(ms, tz) };
  }
  return { head: name, width: 16 + 1 + Math.max(...labels.map((l) => l.length)) + 2, cell: (ms) => fmtIn(ms, tz) };
}

/**
 * Feed text on a terminal cell: hostile until made safe. `cellText` strips escape sequences and control
 * characters (and line and paragraph separators), folds runs of white space; `textWidth` counts the
 * columns a terminal gives it (East Asian wide characters and emoji two, combining marks and zero-width
 * characters none), by grapheme so that an emoji sequence (👩‍💻, 🇳🇱) is one character of two columns;
 * `clip` cuts to a number of columns, never inside a grapheme, and marks the cut with `…`.
 */

/** Made when first used: making one loads ICU's break rules (tens of milliseconds), which a command that draws no table never needs. */
let segmenterMade: Intl.Segmenter | undefined;
const segmenter = (): Intl.Segmenter => (segmenterMade ??= new Intl.Segmenter('en', { granularity: 'grapheme' }));

/** East Asian Wide and Fullwidth ranges (the emoji among them are found by Emoji_Presentation). */
const WIDE = /[\u1100-\u115f\u2329\u232a\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6\u{16fe0}-\u{16fe4}\u{17000}-\u{18cff}\u{1b000}-\u{1b2ff}\u{1f200}-\u{1f2ff}\u{20000}-\u{2fffd}\u{30000}-\u{3fffd}]/u;
const EMOJI = /\p{Emoji_Presentation}|\ufe0f|\p{Regional_Indicator}/u;
/** Marks, zero-width spaces and joiners, direction marks, the BOM, variation selectors: no column. */
const ZERO = /^[\p{M}\u200b-\u200f\u2060-\u2064\ufeff\ufe00-\ufe0f]+$/u;
/**
 * Text of printable ASCII, Latin-1, Latin Extended, Greek and Cyrillic letters without their combining
 * marks: one column per code unit, each its own grapheme (counting it by grapheme cost most of the time of
 * a long table of European headlines).
 */
const NARROW_LETTERS = /^[\x20-\x7e\u00a0-\u02ff\u0370-\u0482\u048a-\u052f]*$/;

/** Feed text made fit for one terminal line: no escapes or control characters, white space folded. */
export function cellText(text: string | null | undefined): string {
  if (!text) return '';
  return stripControl(text)
    .replace(/[\u2028\u2029\u0085]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A zero-width joiner before an emoji, an emoji variation selector, a skin-tone modifier. */
const EMOJI_GLUE = /\u200d(?=\p{Extended_Pictographic})|\ufe0f|\p{Emoji_Modifier}/gu;
const MAY_GLUE = /[\u200d\ufe0f]|\ud83c[\udffb-\udfff]/;

/**
 * Emoji as every terminal draws them alike, for a grid (a table's cells, watch's columns): without the
 * joiners, variation selectors and skin-tone modifiers that make 👨‍👩‍👧‍👦, ❤️ or 👍🏽 one picture. Terminals
 * that draw such a sequence as one picture give it two columns, those that measure by code point (xterm,
 * Alacritty, VTE) up to eight, so a row holding one ran past the terminal's edge on some and fell short
 * on others, its border out of line. Unglued, 👨👩👧👦 is four pictures of two columns on every terminal.
 */
export function unglueEmoji(text: string): string {
  return MAY_GLUE.test(text) ? text.replace(EMOJI_GLUE, '') : text;
}

/** Columns one grapheme takes. */
function graphemeWidth(g: string): number {
  if (g.length === 1) {
    const c = g.charCodeAt(0);
    if (c >= 0x20 && c < 0x7f) return 1;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) return 0;
  }
  if (ZERO.test(g)) return 0;
  if (EMOJI.test(g) || WIDE.test(g)) return 2;
  return 1;
}

/** Columns the (control-free) text takes on a terminal. */
export function textWidth(text: string): number {
  if (NARROW_LETTERS.test(text)) return text.length;
  let w = 0;
  for (const { segment } of segmenter().segment(text)) w += graphemeWidth(segment);
  return w;
}

/** The text cut to at most `width` columns, `…` marking a cut. */
export function clip(text: string, width: number): string {
  if (width <= 0) return '';
  if (NARROW_LETTERS.test(text)) return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
  if (textWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter().segment(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

/** The text cut to `width` columns and padded with spaces to exactly that many (right-aligned with `right`). */
export function fit(text: string, width: number, right = false): string {
  const c = clip(text, width);
  const pad = ' '.repeat(Math.max(0, width - textWidth(c)));
  return right ? pad + c : c + pad;
}

/** How long ago, for a table: "now", "45m ago", "6h ago", "3d ago". */
export function ago(ms: number): string {
  if (ms < 60_000) return 'now';
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)}m ago`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 3_600_000)}h ago`;
  return `${Math.round(ms / 86_400_000)}d ago`;
}

/** A count or ratio shown briefly: whole from 10 on, one decimal below. */
export function fmtNum(x: number): string {
  return x >= 10 ? x.toFixed(0) : x.toFixed(1);
}

/** A tone with its sign: "+0.25", "-0.40", "+0.00" (never "-0.00"); "n/a" for none. */
export function fmtSigned(x: number | null): string {
  if (x === null) return 'n/a';
  const s = x.toFixed(2);
  if (s === '-0.00') return '+0.00';
  return x >= 0 ? `+${s}` : s;
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A one-line chart of the values ("▁▁▂█▆▃"): eight heights, scaled to the largest. With `lift`, a value
 * above 0 is never the lowest bar, so that an empty bucket stands out (the digest's charts).
 */
export function sparkline(values: number[], o: { lift?: boolean } = {}): string {
  const max = Math.max(0, ...values);
  const low = o.lift ? 1 : 0;
  return values.map((v) => (max <= 0 || v <= 0 ? BARS[0] : BARS[Math.max(low, Math.min(7, Math.round((v / max) * 7)))])).join('');
}

/**
 * Feed text in a Markdown document or table: one line, and what Markdown would read as markup escaped
 * (HTML tags and entities, [..](..) links, ![..](..) images, emphasis, code, strike-through, table pipes),
 * and at its start what would open a block where the text starts a line or a list item: a heading (`#`),
 * a list or a rule (`-`, `+`), a numbered list (`1986. A great year`, `2)`).
 */
export function mdText(s: string): string {
  return cellText(s)
    .replace(/[\\`*_[\]<>&|~]/g, '\\$&')
    .replace(/^(?:#{1,6}|[+-])(?=[\s-]|$)/, '\\$&')
    .replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
}

/** A link (a scheme and "//", or www.), which is never broken: it must stay whole to be opened or copied. */
const LINK_WORD = /^(?:[a-z][a-z0-9+.-]*:\/\/|www\.)/i;

/** The longest start of `word` (whole graphemes) that `measure` puts at no more than `width`, and the rest; at least one grapheme. */
export function splitWord(word: string, width: number, measure: (s: string) => number): [string, string] {
  let head = '';
  let used = 0;
  for (const { segment } of segmenter().segment(word)) {
    const w = measure(segment);
    if (head && used + w > width) break;
    head += segment;
    used += w;
  }
  return [head, word.slice(head.length)];
}

/**
 * Word-wraps `text` to `width`: the first line after `first`, the others after `rest`. A link longer than
 * a line gets a line of its own, unbroken (it must stay whole to be opened or copied); any other word
 * longer than a line (feed text can hold 500 letters without a space) fills what is left of the line and
 * goes on over the next ones, broken between characters. A word holding escape codes (our own colours) is
 * never broken.
 */
export function wrap(text: string, width: number, first: string, rest: string, measure: (s: string) => number = (s) => s.length): string[] {
  // a no-break space (NB: a number and its unit, 'moment 2') joins a word: a line never breaks there, and
  // it is printed as a space (a script grepping the text finds 'moment 2')
  const words = text.split(/[^\S\u00a0\u202f]+/).filter(Boolean);
  const lines: string[] = [];
  let prefix = first;
  let cur = '';
  const breakable = (w: string) => !w.includes('\x1b') && !LINK_WORD.test(w) && measure(rest) + measure(w) > width;
  for (let w of words) {
    while (breakable(w)) {
      const room = width - measure(prefix) - (cur ? measure(cur) + 1 : 0);
      if (room < Math.min(8, width - measure(rest))) {
        // too little left of this line to be worth a piece: the word starts on the next
        if (!cur && prefix === rest) break;
        lines.push(`${prefix}${cur}`.replace(/\s+$/, ''));
        prefix = rest;
        cur = '';
        continue;
      }
      const [head, tail] = splitWord(w, room, measure);
      lines.push(`${prefix}${cur ? `${cur} ` : ''}${head}`);
      prefix = rest;
      cur = '';
      w = tail;
    }
    if (!w) continue;
    const candidate = cur ? `${cur} ${w}` : w;
    if (measure(prefix) + measure(candidate) <= width || !cur) {
      cur = candidate;
    } else {
      lines.push(`${prefix}${cur}`);
      prefix = rest;
      cur = w;
    }
  }
  lines.push(`${prefix}${cur}`.replace(/\s+$/, ''));
  return lines.map((l) => l.replace(/[\u00a0\u202f]/g, ' '));
}

/** A no-break space, for `wrap`: what it joins stays on one line ('moment${NB}2', 'p${NB}≈${NB}2.8e-7'). */
export const NB = '\u00a0';

const SGR = /\x1b\[[0-9;]*m/g;
/** SGR codes that end a style (reset, normal intensity, not italic/underlined/inverse/struck, default colours). */
const SGR_END = /^\x1b\[(?:0?|2[2-9]|39|49)m$/;

/** Columns a line of a terminal takes: colour codes take none, wide characters two (see textWidth). */
export function shownWidth(s: string): number {
  return textWidth(s.includes('\x1b') ? s.replace(SGR, '') : s);
}

/**
 * A line for a terminal `width` columns wide (the explanations under a table, `status`): word-wrapped by
 * the columns its text takes, the first line after `first`, the others after `rest`. Breaks fall only
 * between words, never inside a colour code or a character; a word longer than a line (a link) stands
 * alone on its own, unbroken, so that it can still be opened or copied whole. A colour still open at the
 * end of a line is ended there and opened again after the next line's indent.
 */
export function wrapShown(text: string, width: number, first: string, rest: string): string[] {
  const lines = wrap(text, width, first, rest, shownWidth);
  const open: string[] = [];
  return lines.map((line, i) => {
    const carried = i > 0 && open.length ? `${rest}${open.join('')}${line.slice(rest.length)}` : line;
    for (const code of line.match(SGR) ?? []) {
      if (!SGR_END.test(code)) open.push(code);
      else if (/^\x1b\[0?m$/.test(code)) open.length = 0;
      else open.pop();
    }
    return open.length ? `${carried}\x1b[0m` : carried;
  });
}

/** "1 moment", "3 moments" (here, not in digest.ts, so that the moments table loads no digest code). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
