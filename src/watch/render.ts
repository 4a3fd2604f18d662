import { fmtIn, fmtShortIn, hoursBetween, zoneOffset } from '../core/time.js';
import { cellText, fit, splitWord, textWidth, unglueEmoji, wrap } from '../render/text.js';
import { ENTRY_LINES, cursorOf, entries, keyHelp, layout, type Column, type Entry, type ViewState, type WatchItem, type WatchMoment } from './state.js';

/**
 * The watch view drawn: pure, render(state, options) → exactly `state.height` lines, each exactly
 * `state.width` columns wide on a terminal (SGR codes take none). Feed text goes through cellText (no
 * escapes, no control characters) and is cut by display width, so no item can move the cursor, wrap a
 * line or push a column out of place.
 */

export interface RenderOptions {
  /** Colours (red, green, yellow, cyan); bold, dim and reverse video are used either way. */
  color: boolean;
  /** The team's zone its times are on (defaults.timeZone, --tz); absent: UTC. */
  timeZone?: string;
}

type Codes = number[];
const BOLD = 1;
const DIM = 2;
const REVERSE = 7;
const RED = 31;
const GREEN = 32;
const YELLOW = 33;
const CYAN = 36;

/** A piece of a line: text and its SGR codes. */
type Part = [text: string, codes?: Codes];

function sgr(text: string, codes: Codes): string {
  return codes.length && text ? `\x1b[${codes.join(';')}m${text}\x1b[0m` : text;
}

/**
 * Parts laid out in exactly `width` columns: each cut to what is left, the rest padded; `base` codes
 * apply to every part and to the padding (a selected line is reversed across its whole width).
 */
function line(width: number, parts: Part[], base: Codes = []): string {
  let out = '';
  let left = width;
  for (const [glued, codes = []] of parts) {
    if (left <= 0) break;
    const text = unglueEmoji(glued);
    const w = textWidth(text);
    const piece = w <= left ? text : fit(text, left);
    out += sgr(piece, [...base, ...codes]);
    left -= Math.min(w, left);
  }
  if (left > 0) out += sgr(' '.repeat(left), base);
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "14:05" on the day of `asOf` (UTC, or the team's zone `tz`), else "18 Nov 14:05". */
export function when(ms: number, asOf: number, tz = 'UTC'): string {
  const s = fmtShortIn(ms, tz);
  const hm = s.slice(11);
  const sameDay = s.slice(0, 10) === fmtShortIn(asOf, tz).slice(0, 10);
  return sameDay ? hm : `${s.slice(8, 10).replace(/^0/, ' ')} ${MONTHS[Number(s.slice(5, 7)) - 1]} ${hm}`;
}

function stamp(ms: number, tz = 'UTC'): string {
  return fmtShortIn(ms, tz);
}

/** The tone of an item: arrow and score, red when negative, green when positive. */
function tone(sentiment: number | null, color: boolean): Part {
  if (sentiment === null) return ['  ·   '];
  const text = `${sentiment <= -0.2 ? '▼' : sentiment >= 0.2 ? '▲' : '·'}${sentiment < 0 ? '−' : '+'}${Math.abs(sentiment).toFixed(2)}`;
  return [text, color ? (sentiment <= -0.2 ? [RED] : sentiment >= 0.2 ? [GREEN] : []) : []];
}

function momentLabel(m: WatchMoment): string {
  if (m.kind === 'volume-spike') return 'SPIKE';
  return m.direction === 'negative' ? 'TONE ▼' : m.direction === 'positive' ? 'TONE ▲' : 'TONE';
}

const VERDICT: Record<string, string> = { real: ' ✓ real', noise: ' ✗ noise' };

function momentLines(m: WatchMoment, width: number, o: { selected: boolean; focused: boolean; muted: boolean; asOf: number; color: boolean; tz: string }): string[] {
  const base: Codes = o.selected && o.focused ? [REVERSE] : [];
  const accent: Codes = o.muted ? [DIM] : o.color ? [BOLD, m.kind === 'volume-spike' ? YELLOW : m.direction === 'negative' ? RED : GREEN] : [BOLD];
  const mark = o.selected && !o.focused ? '›' : m.fresh && !o.muted ? '✦' : '★';
  const span = `${when(m.start, o.asOf, o.tz)}→${m.ongoing ? 'now' : when(m.end, o.asOf, o.tz)}`;
  const first: Part[] = [
    [`${mark} `, accent],
    [momentLabel(m), accent],
    [` ${m.score.toFixed(1)} `],
    [m.fresh && !o.muted ? 'NEW ' : '', o.color ? [BOLD, CYAN] : [BOLD]],
    [m.ongoing ? `${m.stage} ` : ''],
    [m.planned ? 'planned ' : '', o.color ? [CYAN] : []],
    [span, [DIM]],
  ];
  const verdict = m.verdict ? VERDICT[m.verdict]! : '';
  const terms = m.topTerms.map(cellText).filter(Boolean).join(', ');
  const second: Part[] = [['  '], [verdict, o.color ? [BOLD, m.verdict === 'real' ? GREEN : RED] : [BOLD]], [verdict && terms ? ' · ' : ''], [terms || (verdict ? '' : 'no terms')]];
  return [line(width, first, base), line(width, second, base)];
}

function itemLines(it: WatchItem, width: number, o: { selected: boolean; focused: boolean; muted: boolean; asOf: number; color: boolean; tz: string }): string[] {
  const base: Codes = o.selected && o.focused ? [REVERSE] : o.muted ? [DIM] : [];
  const gutter: Part = o.selected && !o.focused ? ['›'] : it.momentKey ? ['┃', o.color && !o.muted ? [YELLOW] : []] : [' '];
  const first: Part[] = [gutter, [`${when(it.publishedAt, o.asOf, o.tz)} `, [DIM]], tone(it.sentiment, o.color && !o.muted), [' '], [cellText(it.source) || '?', o.color && !o.muted ? [CYAN] : []]];
  const title = cellText(it.title) || '(no title)';
  const second: Part[] = [gutter, [' '], [title, o.selected && !o.focused ? [BOLD] : []]];
  return [line(width, first, base), line(width, second, base)];
}

function columnHeader(c: Column, width: number, focused: boolean, color: boolean, asOf: number, tz: string): string {
  const ongoing = c.moments.filter((m) => m.ongoing);
  const fresh = c.moments.some((m) => m.fresh);
  const base: Codes = focused ? [REVERSE, BOLD] : [BOLD];
  const parts: Part[] = [[` ${cellText(c.name)} `]];
  if (c.mutedUntil !== null) parts.push([`muted until ${when(c.mutedUntil, asOf, tz)} `, [DIM]]);
  else if (ongoing.length) parts.push([`★ ${ongoing.length} ongoing `, color ? [YELLOW] : []]);
  else if (fresh) parts.push(['✦ new ', color ? [CYAN] : []]);
  parts.push([`${c.items.length} items`, [DIM]]);
  return line(width, parts, base);
}

/** The lines of one column's body: `rows` entries of ENTRY_LINES lines each, and blank lines below. */
function columnBody(s: ViewState, c: Column, width: number, height: number, focused: boolean, o: RenderOptions): string[] {
  const list = entries(c);
  const cur = cursorOf(s, c.name);
  const tz = o.timeZone ?? 'UTC';
  const out: string[] = [];
  if (list.length === 0) {
    out.push(line(width, [[` no items since ${stamp(s.since, tz)}`, [DIM]]]));
  }
  for (let i = cur.top; i < list.length && out.length + ENTRY_LINES <= height; i++) {
    const e: Entry = list[i]!;
    const opts = { selected: i === cur.index, focused, muted: c.mutedUntil !== null, asOf: s.asOf, color: o.color, tz };
    out.push(...(e.type === 'moment' ? momentLines(e, width, opts) : itemLines(e, width, opts)));
  }
  while (out.length < height) out.push(' '.repeat(width));
  return out;
}

function topBar(s: ViewState, width: number, tz: string): string {
  const parts: Part[] = [[' momentscan watch '], [` as of ${fmtIn(s.asOf, tz)}${s.fixed ? ' (fixed)' : ''} `]];
  if (s.busy) parts.push([`· ${s.busy} `]);
  else if (s.nextFetchAt !== null) parts.push([`· next fetch ${new Date(s.nextFetchAt + zoneOffset(tz, s.nextFetchAt)).toISOString().slice(11, 19)} `]);
  parts.push(['· ? keys ']);
  return line(width, parts, [REVERSE]);
}

/**
 * The bottom of the screen: the keys, or a message. A message wider than the screen takes as many lines
 * as it needs (up to a third of the screen), words wrapped and a word longer than a line (the link shown
 * when there is no desktop to open it) split across lines, so that none of it is lost to a cut.
 */
function bottomLines(s: ViewState, width: number, height: number, tz: string): string[] {
  // no feed read for hours before the view's time (a stopped cron under --no-fetch, feeds failing): said while
  // no other message is, as moments says it, so that a quiet view is not taken for a quiet world
  const message = s.message ?? (s.stale === null ? null : `no feed was read after ${fmtIn(s.stale, tz)} (${hoursBetween(s.stale, s.asOf)} before ${s.fixed ? 'the --as-of time' : 'now'}): what was published since is not shown — ${s.nextFetchAt !== null ? 'f fetches now' : 'run momentscan fetch'}`);
  if (!message) return [line(width, [['j/k move · h/l column · o open · r real · n noise · m mute · f fetch · q quit', [DIM]]])];
  const text = cellText(message);
  if (textWidth(text) <= width) return [line(width, [[text]], [BOLD])];
  const rows: string[] = [];
  for (const l of wrap(text, width, '', '')) {
    let rest = l;
    while (textWidth(rest) > width) {
      const [head, tail] = splitWord(rest, width, textWidth);
      rows.push(head);
      rest = tail;
    }
    rows.push(rest);
  }
  const max = Math.max(1, Math.floor(height / 3));
  return (rows.length > max ? [...rows.slice(0, max - 1), rows.slice(max - 1).join('')] : rows).map((r) => line(width, [[r]], [BOLD]));
}

function helpBody(width: number, height: number): string[] {
  const out = [line(width, [[' Keys', [BOLD]]]), ' '.repeat(width)];
  for (const [k, what] of keyHelp()) out.push(line(width, [[`  ${k.padEnd(16)}`, [BOLD]], [what]]));
  out.push(' '.repeat(width), line(width, [['  any key closes this help', [DIM]]]));
  return out.slice(0, height).concat(Array.from({ length: Math.max(0, height - out.length) }, () => ' '.repeat(width)));
}

export function render(s: ViewState, o: RenderOptions): string[] {
  const width = Math.max(1, s.width);
  const height = Math.max(1, s.height);
  const l = layout(width, height, s.columns.length);
  const tz = o.timeZone ?? 'UTC';
  const lines: string[] = [topBar(s, width, tz)];
  const bodyHeight = height - l.bodyTop - 2 - 1;
  if (s.help) {
    lines.push(...helpBody(width, height - 2));
  } else if (!s.loaded) {
    lines.push(line(width, [[' loading…', [DIM]]]));
  } else if (s.columns.length === 0) {
    lines.push(line(width, [[' no topics to watch: add topics to the config', [DIM]]]));
  } else {
    if (l.narrow) {
      const c = s.columns[s.focus]!;
      lines.push(line(width, [[`‹ ${s.focus + 1}/${s.columns.length} `], [cellText(c.name), [BOLD]], [' ›  h/l: other topics', [DIM]]]));
    }
    const shown = s.columns.slice(s.firstColumn, s.firstColumn + l.shown);
    const heads: string[] = [];
    const rules: string[] = [];
    const bodies: string[][] = [];
    shown.forEach((c, k) => {
      const w = l.widths[k]!;
      const focused = s.firstColumn + k === s.focus;
      heads.push(columnHeader(c, w, focused, o.color, s.asOf, tz));
      rules.push('─'.repeat(w));
      bodies.push(columnBody(s, c, w, Math.max(0, bodyHeight), focused, o));
    });
    lines.push(heads.join('│'), rules.join('┼'));
    for (let r = 0; r < Math.max(0, bodyHeight); r++) lines.push(bodies.map((b) => b[r]!).join('│'));
  }
  const bottom = bottomLines(s, width, height, tz);
  while (lines.length < height - bottom.length) lines.push(' '.repeat(width));
  lines.length = Math.max(0, height - bottom.length);
  lines.push(...bottom);
  return lines.slice(-height);
}
