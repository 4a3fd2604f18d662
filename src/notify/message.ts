import { clean, fmtNum, fmtSigned, plural, safeHttpUrl } from '../render/digest.js';
import { fmtIn, fmtSpanIn } from '../core/time.js';
import type { AlertEvent, MomentRecord } from './types.js';

/**
 * What every chat message says about an alert, as plain text pieces; each sink escapes them for its
 * format (Slack mrkdwn, Discord Markdown, Adaptive Card text). Feed text (topic names come from the
 * config, but headlines, sources and terms come from feeds) is hostile: control characters are gone
 * here, escaping is the sink's, and links are http(s) only.
 */
export interface EventView {
  /** "New moment", "Moment grew", "Moment ended", "Test message". */
  label: string;
  /** "Acme Robotics: volume spike". */
  title: string;
  /** Plain facts: label → value. */
  facts: { label: string; value: string }[];
  /** Up to 3 example headlines. */
  examples: { title: string; source: string | null; link: string | null }[];
  /** The top example's link, for a button. */
  link: string | null;
  /** "score 5.2 · 14 stories vs 2.0 expected": one line for a text fallback. */
  line: string;
  /** Colour by kind: spike blue, negative red, positive green. */
  color: number;
}

const LABEL: Record<string, string> = {
  'moment.detected': 'New moment',
  'moment.grew': 'Moment grew',
  'moment.ended': 'Moment ended',
  'momentscan.test': 'Test message',
};

export function kindText(d: MomentRecord): string {
  return d.kind === 'volume-spike' ? 'volume spike' : `${clean(String(d.direction))} tone shift`;
}

export function viewOf(e: AlertEvent, tz = 'UTC'): EventView {
  const d = e.data;
  const label = LABEL[e.type] ?? 'Moment';
  if (e.type === 'momentscan.test') {
    return { label, title: clean(String(d.topic)), facts: [], examples: [], link: null, line: 'momentscan can reach this channel.', color: 0x808080 };
  }
  const facts: EventView['facts'] = [];
  facts.push({ label: 'Score', value: `${fmtNum(d.score)} (attention ${fmtNum(d.attention)})` });
  const ratio = d.ratio !== null ? ` (${fmtNum(d.ratio)}×)` : '';
  facts.push({ label: 'Volume', value: `${plural(d.observed, 'story', 'stories')} in the peak ${clean(d.bucket)} vs ${fmtNum(d.expected)} expected${ratio}` });
  if (d.sentimentNow !== null || d.sentimentBaseline !== null) {
    facts.push({ label: 'Tone', value: `${fmtSigned(d.sentimentNow)} now vs ${fmtSigned(d.sentimentBaseline)} before` });
  }
  const when =
    e.type === 'moment.ended' ? fmtSpanIn(Date.parse(d.start), Date.parse(d.end), tz) : `since ${fmtIn(Date.parse(d.start), tz)}${d.alerts > 1 ? `, alert ${d.alerts} (it doubled)` : ''}`;
  // caught up on after a gap (notify was not running when it alerted): said so, with when it alerted
  const late = d.late === true ? `; sent late: it alerted ${fmtIn(e.eventAt, tz)}, when notify was not running` : '';
  facts.push({ label: 'When', value: `${when}${late}` });
  if (d.planned === true) {
    // a planned moment is still news (a launch that goes badly), said as planned
    const notes = Array.isArray(d.events) ? (d.events as { id?: unknown; note?: unknown }[]).map((x) => (typeof x.note === 'string' ? clean(x.note) : `event ${String(x.id)}`)).filter(Boolean) : [];
    facts.push({ label: 'Planned', value: notes.length ? notes.join('; ') : 'labelled planned' });
  }
  if (typeof d.id === 'number') facts.push({ label: 'Moment', value: `id ${d.id} (momentscan label ${d.id} real|noise|planned)` });
  const sources = d.topSources.map(clean).filter(Boolean).slice(0, 5);
  facts.push({ label: 'Sources', value: `${d.distinctSources} distinct${sources.length ? `: ${sources.join(', ')}` : ''}` });
  const terms = d.topTerms.map(clean).filter(Boolean).slice(0, 8);
  if (terms.length) facts.push({ label: 'Terms', value: terms.join(', ') });
  const accounts = Array.isArray(d.accounts) ? d.accounts.slice(0, 5).map((a) => `${clean(String(a.name))} (${Number(a.items)})`) : [];
  if (accounts.length) facts.push({ label: 'Accounts', value: `${accounts.join(', ')}${d.accounts!.length > 5 ? ` and ${d.accounts!.length - 5} more` : ''}` });
  const examples = d.examples.slice(0, 3).map((x) => ({
    title: clean(x.title) || '(untitled)',
    source: x.source ? clean(x.source) || null : null,
    link: safeHttpUrl(x.link),
  }));
  const color = d.kind === 'volume-spike' ? 0x2f6fdf : d.direction === 'negative' ? 0xc0392b : 0x27ae60;
  return {
    label: d.late === true ? `${label} (late)` : label,
    title: `${clean(d.topic)}: ${kindText(d)}`,
    facts,
    examples,
    link: examples.find((x) => x.link)?.link ?? null,
    line: `score ${fmtNum(d.score)} · ${d.observed} stories vs ${fmtNum(d.expected)} expected`,
    color,
  };
}

/** "momentscan: 2 moments" / "momentscan: New moment — Acme Robotics: volume spike". */
export function headline(events: AlertEvent[]): string {
  if (events.length === 1) {
    const v = viewOf(events[0]!);
    return `momentscan: ${v.label} — ${v.title}`;
  }
  return `momentscan: ${events.length} moment alerts`;
}

/** Cuts `s` to at most `max` characters (code points), ending with … when cut. */
export function cut(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Characters (code points) in `s`, as the chat services count them. */
export function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * Feed text escaped for a message (`escape` is the sink's: slackText, discordText...) in at most `max`
 * characters: when the escaped text is too long, the text is cut *before* it is escaped, as much as fits, so
 * that the cut never falls inside an escape (half an `&amp;`, a mark without its escape).
 */
export function escapedWithin(text: string, max: number, escape: (s: string) => string): string {
  const whole = escape(text);
  if (charCount(whole) <= max) return whole;
  // the longest cut whose escaped form fits (escaping only lengthens: a cut of n fits when one of n+1 may not)
  let lo = 0;
  let hi = Math.min(charCount(text), max);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (charCount(escape(cut(text, mid))) <= max) lo = mid;
    else hi = mid - 1;
  }
  return lo > 0 ? escape(cut(text, lo)) : '';
}

/**
 * Lines of a message joined with newlines in at most `max` characters, each line whole or not at all: a
 * line that does not fit is given as `short(room)` instead — its text without its link, cut to the room
 * left — and the lines after it are left out. So a cut never falls inside a link's markup (`<url|text>`,
 * `[text](<url>)`), which would show the raw syntax, or inside an escape.
 */
export function linesWithin(lines: { line: string; short: (room: number) => string }[], max: number): string {
  const out: string[] = [];
  let used = 0;
  for (const l of lines) {
    const room = max - used - (out.length ? 1 : 0);
    if (room <= 0) break;
    const whole = charCount(l.line) <= room;
    const line = whole ? l.line : l.short(room);
    if (line) {
      out.push(line);
      used += charCount(line) + (out.length > 1 ? 1 : 0);
    }
    if (!whole) break;
  }
  return out.join('\n');
}

/** The record with its example links cut to http(s) (a `javascript:` link goes out as null): what every payload carries. */
export function safeRecord(d: MomentRecord): MomentRecord {
  return { ...d, examples: d.examples.map((x) => ({ ...x, link: safeHttpUrl(x.link) })) };
}

/** Slack mrkdwn: &, < and > are its control characters; formatting marks get a zero-width space so they stay literal. */
export function slackText(s: string): string {
  return clean(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[*_~`]/g, '\u200b$&\u200b');
}

/** A URL inside Slack's <url|text>: no | or > (URL.href already encodes < and >). */
export function slackUrl(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C');
}

/** Discord Markdown: marks escaped with a backslash (those that only count at a line's start, there only: a heading, quote, list or subtext); mentions are also off by allowed_mentions. */
export function discordText(s: string): string {
  return clean(s)
    .replace(/[\\*_~`|[\]<]/g, '\\$&')
    .replace(/^([#>-])/, '\\$1')
    .replace(/^(\d{1,9})([.)])(?=\s)/, '$1\\$2');
}

/** Adaptive Card text (a Markdown subset): marks escaped (line-start ones there only), `{{` (card functions) broken. */
export function cardText(s: string): string {
  return clean(s)
    .replace(/[\\*_~`[\]]/g, '\\$&')
    .replace(/^([#>-]|\d+\.)/, '\\$1')
    .replace(/\{\{/g, '{\u200b{');
}
