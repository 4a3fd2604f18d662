/**
 * The watch view's state and how keys and new data change it: pure (no terminal, no database, no
 * clock). The I/O edge (run.ts) feeds it actions and carries out the effects it asks for.
 */

export type Verdict = 'real' | 'noise';

export interface WatchMoment {
  type: 'moment';
  /** topic|kind|direction|start: what identifies a moment across evaluations. */
  key: string;
  /** Its row in the moments table (null when it was not recorded, e.g. in a backtest). */
  id: number | null;
  topic: string;
  kind: string;
  direction: string;
  score: number;
  start: number;
  end: number;
  ongoing: boolean;
  stage: string;
  firstSeenAt: number;
  topTerms: string[];
  /** Its first example's link (what `o` opens). */
  link: string | null;
  verdict: Verdict | null;
  /** It overlaps a planned event (momentscan events) or was labelled planned. */
  planned?: boolean;
  /** New: appeared while watching (or first seen by the view's first evaluation), not yet looked at. */
  fresh: boolean;
}

export interface WatchItem {
  type: 'item';
  id: number;
  title: string;
  link: string | null;
  source: string;
  publishedAt: number;
  sentiment: number | null;
  /** The moment of this column it falls in, if any. */
  momentKey: string | null;
}

export type Entry = WatchMoment | WatchItem;

export interface Column {
  /** The topic's name. */
  name: string;
  /** Until when the topic is silenced (muted), or null. */
  mutedUntil: number | null;
  /** Muted by a silence of every topic (*): unmuting the topic alone does not lift it. */
  mutedByAll: boolean;
  moments: WatchMoment[];
  items: WatchItem[];
}

export interface ViewState {
  columns: Column[];
  focus: number;
  /** Per column (by name): the selected entry's index, and the first entry shown. */
  cursor: Record<string, { index: number; top: number }>;
  /** The first column shown when they do not all fit. */
  firstColumn: number;
  width: number;
  height: number;
  /** The evaluation time of the data shown. */
  asOf: number;
  /** Fixed by --as-of (the view does not move with the clock). */
  fixed: boolean;
  since: number;
  loaded: boolean;
  /** What is going on (fetching...), shown in the top bar. */
  busy: string | null;
  nextFetchAt: number | null;
  /** The last message for the user (bottom line). */
  message: string | null;
  /** When the feeds were last read, if none was read for hours before the view's time (moments/coverage.ts); else null. */
  stale: number | null;
  help: boolean;
}

export type Key =
  | 'up' | 'down' | 'left' | 'right' | 'tab' | 'backtab' | 'home' | 'end' | 'pageup' | 'pagedown' | 'enter' | 'escape' | 'ctrl-c'
  | { char: string };

export type Action =
  | { type: 'key'; key: Key }
  | { type: 'resize'; width: number; height: number }
  | { type: 'data'; columns: Column[]; asOf: number; stale?: number | null }
  | { type: 'busy'; text: string | null; nextFetchAt?: number | null }
  | { type: 'message'; text: string | null }
  | { type: 'muted'; topic: string; until: number | null; byAll?: boolean }
  | { type: 'verdict'; key: string; verdict: Verdict | null };

export type Effect =
  | { type: 'quit' }
  | { type: 'open'; url: string }
  | { type: 'verdict'; moment: WatchMoment; verdict: Verdict | null }
  | { type: 'mute'; topic: string; mute: boolean }
  | { type: 'refresh' };

/** Below this many columns the view shows one column at a time. */
export const NARROW_BELOW = 80;
/** The narrowest a column of the wide view gets. */
export const MIN_COLUMN_WIDTH = 36;
/** Lines each entry takes (a meta line, a title line). */
export const ENTRY_LINES = 2;

export interface Layout {
  /** One column at a time, with a tab line above it (there are other columns to go to). */
  narrow: boolean;
  /** How many columns are shown side by side. */
  shown: number;
  /** Each shown column's width (one space of rule between two). */
  widths: number[];
  /** Entries that fit in a column's body. */
  rows: number;
  /** Line of the column headers. */
  bodyTop: number;
}

/**
 * Where things go for a terminal of `width` × `height` with `columns` columns: below NARROW_BELOW
 * columns, or when only one fits, one column at a time (a tab line above it says which); else as many
 * columns of at least MIN_COLUMN_WIDTH as fit, sharing the width. Lines: the top bar, (the tab line),
 * the column headers, a rule, the entries, the bottom line.
 */
export function layout(width: number, height: number, columns: number): Layout {
  const fits = Math.max(1, Math.floor((width + 1) / (MIN_COLUMN_WIDTH + 1)));
  const one = width < NARROW_BELOW || fits === 1 || columns <= 1;
  // the tab line is there when there are other columns to go to
  const narrow = one && columns > 1;
  const shown = one ? 1 : Math.min(fits, columns);
  const widths: number[] = [];
  let left = width - (shown - 1);
  for (let i = 0; i < shown; i++) {
    const w = Math.floor(left / (shown - i));
    widths.push(w);
    left -= w;
  }
  const bodyTop = narrow ? 2 : 1;
  const chrome = bodyTop + 2 + 1;
  return { narrow, shown, widths, rows: Math.max(1, Math.floor((height - chrome) / ENTRY_LINES)), bodyTop };
}

export function entries(c: Column): Entry[] {
  return [...c.moments, ...c.items];
}

export function initialState(o: { width: number; height: number; asOf: number; fixed: boolean; since: number }): ViewState {
  return {
    columns: [],
    focus: 0,
    cursor: {},
    firstColumn: 0,
    width: o.width,
    height: o.height,
    asOf: o.asOf,
    fixed: o.fixed,
    since: o.since,
    loaded: false,
    busy: null,
    nextFetchAt: null,
    message: null,
    stale: null,
    help: false,
  };
}

/** The selected entry of the focused column. */
export function selected(s: ViewState): Entry | null {
  const c = s.columns[s.focus];
  if (!c) return null;
  return entries(c)[cursorOf(s, c.name).index] ?? null;
}

export function cursorOf(s: ViewState, name: string): { index: number; top: number } {
  return s.cursor[name] ?? { index: 0, top: 0 };
}

function entryId(e: Entry): string {
  return e.type === 'moment' ? `m:${e.key}` : `i:${e.id}`;
}

/** Keeps the cursors within their columns and on screen, and the focused column among those shown. */
function settle(s: ViewState): ViewState {
  const l = layout(s.width, s.height, s.columns.length);
  const focus = Math.max(0, Math.min(s.focus, s.columns.length - 1));
  let first = Math.max(0, Math.min(s.firstColumn, s.columns.length - l.shown));
  if (focus < first) first = focus;
  if (focus >= first + l.shown) first = focus - l.shown + 1;
  const cursor: ViewState['cursor'] = {};
  for (const c of s.columns) {
    const n = entries(c).length;
    const cur = cursorOf(s, c.name);
    const index = Math.max(0, Math.min(cur.index, n - 1));
    let top = Math.max(0, Math.min(cur.top, Math.max(0, n - l.rows)));
    if (index < top) top = index;
    if (index >= top + l.rows) top = index - l.rows + 1;
    cursor[c.name] = { index, top };
  }
  return { ...s, focus, firstColumn: first, cursor };
}

function moveCursor(s: ViewState, by: (index: number, n: number, rows: number) => number): ViewState {
  const c = s.columns[s.focus];
  if (!c) return s;
  const cur = cursorOf(s, c.name);
  const rows = layout(s.width, s.height, s.columns.length).rows;
  const list = entries(c);
  const index = Math.max(0, Math.min(list.length - 1, by(cur.index, list.length, rows)));
  const left = list[cur.index];
  // a new moment stays marked new until the cursor has been on it and moved on: it has been seen
  const seen = left?.type === 'moment' && left.fresh && index !== cur.index ? left.key : null;
  const columns = seen ? s.columns.map((col) => (col === c ? { ...col, moments: col.moments.map((m) => (m.key === seen ? { ...m, fresh: false } : m)) } : col)) : s.columns;
  return settle({ ...s, columns, message: null, cursor: { ...s.cursor, [c.name]: { ...cur, index } } });
}

function moveFocus(s: ViewState, by: number, wrap: boolean): ViewState {
  const n = s.columns.length;
  if (n === 0) return s;
  const focus = wrap ? (s.focus + by + n) % n : Math.max(0, Math.min(n - 1, s.focus + by));
  return settle({ ...s, focus, message: null });
}

/** The moment an entry stands for: itself, or the moment an item falls in. */
export function momentOf(s: ViewState, e: Entry | null): WatchMoment | null {
  if (!e) return null;
  if (e.type === 'moment') return e;
  if (!e.momentKey) return null;
  const c = s.columns[s.focus];
  return c?.moments.find((m) => m.key === e.momentKey) ?? null;
}

function setVerdict(s: ViewState, key: string, verdict: Verdict | null): ViewState {
  const columns = s.columns.map((c) =>
    c.moments.some((m) => m.key === key) ? { ...c, moments: c.moments.map((m) => (m.key === key ? { ...m, verdict } : m)) } : c,
  );
  return { ...s, columns };
}

const KEY_HELP: [string, string][] = [
  ['↑ ↓  k j', 'previous / next item'],
  ['PgUp PgDn  g G', 'a page up / down, first / last'],
  ['← →  h l  Tab', 'previous / next column'],
  ['o  Enter', 'open the link (http and https only)'],
  ['r  n', 'mark the moment real / noise (again: unmark)'],
  ['m', 'mute / unmute the topic (a silence: notifications held too)'],
  ['f', 'fetch due feeds and reload now'],
  ['?', 'this help'],
  ['q  Ctrl-C', 'quit'],
];

export function keyHelp(): [string, string][] {
  return KEY_HELP;
}

/** One action: the next state, and what the edge must do. */
export function reduce(s: ViewState, a: Action): { state: ViewState; effects: Effect[] } {
  const none = (state: ViewState) => ({ state, effects: [] as Effect[] });
  switch (a.type) {
    case 'resize':
      return none(settle({ ...s, width: a.width, height: a.height }));
    case 'busy':
      return none({ ...s, busy: a.text, ...(a.nextFetchAt !== undefined ? { nextFetchAt: a.nextFetchAt } : {}) });
    case 'message':
      return none({ ...s, message: a.text });
    case 'muted':
      return none({ ...s, columns: s.columns.map((c) => (c.name === a.topic ? { ...c, mutedUntil: a.until, mutedByAll: Boolean(a.byAll) } : c)) });
    case 'verdict':
      return none(setVerdict(s, a.key, a.verdict));
    case 'data':
      return none({ ...withData(s, a.columns, a.asOf), stale: a.stale ?? null });
    case 'key':
      return onKey(s, a.key);
  }
}

/**
 * New data: the focus stays on the same column and each cursor on the same entry (by identity: new items
 * arrive above it). Moments not in the previous data are fresh (on the first load, those this evaluation
 * saw first), and stay so, reload after reload, until the cursor has been on them.
 */
function withData(s: ViewState, columns: Column[], asOf: number): ViewState {
  const before = new Map(s.columns.flatMap((c) => c.moments.map((m) => [m.key, m.fresh] as const)));
  const marked = columns.map((c) => ({
    ...c,
    moments: c.moments.map((m) => ({ ...m, fresh: s.loaded ? (before.get(m.key) ?? true) : m.firstSeenAt >= asOf })),
  }));
  const focusName = s.columns[s.focus]?.name;
  const cursor: ViewState['cursor'] = {};
  for (const c of marked) {
    const old = s.columns.find((o) => o.name === c.name);
    const cur = cursorOf(s, c.name);
    const was = old ? entries(old)[cur.index] : undefined;
    const list = entries(c);
    const found = was ? list.findIndex((e) => entryId(e) === entryId(was)) : -1;
    const index = found >= 0 ? found : Math.min(cur.index, Math.max(0, list.length - 1));
    cursor[c.name] = { index, top: cur.top + (found >= 0 ? found - cur.index : 0) };
  }
  const focus = Math.max(0, marked.findIndex((c) => c.name === focusName));
  return settle({ ...s, columns: marked, asOf, cursor, focus, loaded: true });
}

function onKey(s: ViewState, key: Key): { state: ViewState; effects: Effect[] } {
  const none = (state: ViewState) => ({ state, effects: [] as Effect[] });
  const name = typeof key === 'string' ? key : key.char;
  if (s.help && name !== 'q' && name !== 'ctrl-c') return none({ ...s, help: false });
  switch (name) {
    case 'q':
    case 'ctrl-c':
      return { state: s, effects: [{ type: 'quit' }] };
    case '?':
      return none({ ...s, help: true });
    case 'escape':
      return none({ ...s, message: null });
    case 'down':
    case 'j':
      return none(moveCursor(s, (i) => i + 1));
    case 'up':
    case 'k':
      return none(moveCursor(s, (i) => i - 1));
    case 'pagedown':
    case ' ':
      return none(moveCursor(s, (i, _n, rows) => i + rows));
    case 'pageup':
      return none(moveCursor(s, (i, _n, rows) => i - rows));
    case 'home':
    case 'g':
      return none(moveCursor(s, () => 0));
    case 'end':
    case 'G':
      return none(moveCursor(s, (_i, n) => n - 1));
    case 'right':
    case 'l':
      return none(moveFocus(s, 1, false));
    case 'left':
    case 'h':
      return none(moveFocus(s, -1, false));
    case 'tab':
      return none(moveFocus(s, 1, true));
    case 'backtab':
      return none(moveFocus(s, -1, true));
    case 'enter':
    case 'o': {
      const e = selected(s);
      if (!e) return none(s);
      if (!e.link) return none({ ...s, message: e.type === 'moment' ? 'this moment has no example link' : 'this item has no link' });
      return { state: { ...s, message: null }, effects: [{ type: 'open', url: e.link }] };
    }
    case 'r':
    case 'n': {
      const m = momentOf(s, selected(s));
      if (!m) return none({ ...s, message: 'not part of a moment: select a moment (★, at the top of a column) or an item marked ┃' });
      const wanted: Verdict = name === 'r' ? 'real' : 'noise';
      const verdict = m.verdict === wanted ? null : wanted;
      return { state: setVerdict(s, m.key, verdict), effects: [{ type: 'verdict', moment: m, verdict }] };
    }
    case 'm': {
      const c = s.columns[s.focus];
      if (!c) return none(s);
      return { state: s, effects: [{ type: 'mute', topic: c.name, mute: c.mutedUntil === null }] };
    }
    case 'f':
      return { state: s, effects: [{ type: 'refresh' }] };
    default:
      return none(s);
  }
}
