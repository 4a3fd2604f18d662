/**
 * Feed text → ParsedFeed. RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom go through rss-parser after the
 * document has been made safe and tolerable (no DTD, bare `&` escaped, illegal characters removed);
 * JSON Feed is read directly. Every item comes out cleaned: plain-text title and summary, absolute
 * link and its canonical form, publisher, and a UTC date (or the fetch time, flagged as estimated).
 */
import { createHash } from 'node:crypto';
import Parser from 'rss-parser';
import { decodeHTMLStrict } from 'entities';
import { emailIn } from '../core/domain.js';
import { FeedError } from '../core/errors.js';
import { PUBLISHER_SEPARATORS, hasControl, stripEscapes } from '../core/text.js';
import { isIsoTime, parseIsoTime, utcDay } from '../core/time.js';
import type { FeedFormat, ParsedFeed, ParsedItem } from '../core/types.js';
import { unwrapLink } from './unwrap.js';
import { readXml } from './xml.js';

export interface ParseOptions {
  /** Where the feed came from: the base for relative links. */
  url: string;
  /** Fetch time, epoch ms: the date of undated items and the ceiling for future-dated ones. */
  fetchedAt: number;
}

const SUMMARY_MAX = 2000;
const TITLE_FROM_SUMMARY_MAX = 120;
/** Titles (an item's, a feed's, a publisher's name) are cut like summaries: three 400 KB titles made a 5 MB digest. */
const TITLE_MAX = 500;
const NAME_MAX = 200;
const FUTURE_SLACK_MS = 2 * 86_400_000;
const ALLOWED_PROTOCOLS = new Set(['http:', 'https:', 'file:']);
const TRACKING_PARAMS = new Set(['fbclid', 'gclid', 'dclid', 'msclkid', 'mc_cid', 'mc_eid', 'igshid', 'ref_src']);

// ---------------------------------------------------------------------------------------------
// Text

/** ANSI escape sequences (in raw XML, before parsing: the text's are stripped by core's stripEscapes). */
const ANSI_ESCAPE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-_]/g;
const ENTITY_REF = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;
/** Whitespace that is not a single plain space. */
const MESSY_SPACE = /[^\S ]|\s\s/;
/**
 * A run of whitespace that is not a single plain space, whole: what `/\s+/g` → ' ' changes, without a match
 * (and a copy of a space) for each of a description's ~80 single spaces. A run of two or more matches from its
 * first character (greedy, so all of it); a run of one matches only if it is not a plain space.
 */
const SPACE_RUN = /\s{2,}|[^\S ]/g;

/** Tag names stripped from titles and from double-escaped HTML; "Vector<int>" is left alone. */
const HTML_TAG_NAMES =
  'a|abbr|b|big|blockquote|br|cite|code|dd|del|div|dl|dt|em|figcaption|figure|font|h[1-6]|hr|i|img|ins|' +
  'li|mark|ol|p|pre|q|s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul';
const KNOWN_TAG_SOURCE = `</?(?:${HTML_TAG_NAMES})(?:\\s[^<>]*)?/?>`;
const KNOWN_TAG = new RegExp(KNOWN_TAG_SOURCE, 'gi');
const HAS_KNOWN_TAG = new RegExp(KNOWN_TAG_SOURCE, 'i');
const BLOCK_TAG_NAMES =
  'address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|img|li|main|nav|ol|p|' +
  'pre|section|table|td|th|tr|ul';
const BLOCK_TAG = new RegExp(`</?(?:${BLOCK_TAG_NAMES})\\b[^<>]*>`, 'gi');
const STARTS_BLOCK_TAG = new RegExp(`^</?(?:${BLOCK_TAG_NAMES})\\b`, 'i');
/** Comments and elements whose content is not text; unclosed, they hide the rest (as in a browser). */
const HIDDEN_OPEN = /<!--|<(script|style|noscript|template)\b[^<>]*>/gi;
const HIDDEN_CLOSE: Record<string, RegExp> = {
  '--': /-->/g,
  script: /<\/script\s*>/gi,
  style: /<\/style\s*>/gi,
  noscript: /<\/noscript\s*>/gi,
  template: /<\/template\s*>/gi,
};
const ANY_TAG = /<\/?[a-z][a-z0-9:-]*(?:\s[^<>]*)?\/?>/gi;

/**
 * Replaces each span from a match of `open` to the first match after it of the pattern `closeFor`
 * gives (null: nothing to close, e.g. a self-closing tag). Linear time, unlike a lazy regex: at the
 * first span left unclosed, the rest of the text goes to `unclosed`. Both regexes must be global.
 */
function replaceSpans(
  text: string,
  open: RegExp,
  closeFor: (opening: RegExpExecArray) => RegExp | null,
  replace: (opening: RegExpExecArray, inner: string) => string,
  unclosed: (rest: string) => string,
): string {
  let out = '';
  let i = 0;
  for (;;) {
    open.lastIndex = i;
    const m = open.exec(text);
    if (m === null) return out + text.slice(i);
    const start = m.index + m[0].length;
    const close = closeFor(m);
    if (close === null) {
      out += text.slice(i, start);
      i = start;
      continue;
    }
    close.lastIndex = start;
    const c = close.exec(text);
    if (c === null) return out + text.slice(i, m.index) + unclosed(text.slice(m.index));
    out += text.slice(i, m.index) + replace(m, text.slice(start, c.index));
    i = c.index + c[0].length;
  }
}

/** Removes escape sequences and control characters, collapses whitespace, trims. */
function sanitizeText(text: string): string {
  // most text has no escape or control character and no run of whitespace: only the tests run then
  let out = hasControl(text) || text.includes('\ufeff') ? stripEscapes(text).replace(/\ufeff/g, '') : text;
  if (MESSY_SPACE.test(out)) out = out.replace(SPACE_RUN, ' ');
  // a lone surrogate (a JSON Feed's "\ud800", half an emoji cut by a publisher) is not text: strict JSON
  // readers refuse it in our output, and SQLite would store it as invalid UTF-8
  if (!(out as WellFormed).isWellFormed()) out = (out as WellFormed).toWellFormed();
  return out.trim();
}

/** String methods of ES2024 that Node 20 has (the project's lib is ES2023). */
type WellFormed = string & { isWellFormed(): boolean; toWellFormed(): string };

/** Decodes HTML entities; a second pass only for double-escaped text (`&amp;#8217;`). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  const once = decodeHTMLStrict(text);
  return ENTITY_REF.test(once) ? decodeHTMLStrict(once) : once;
}

/** A title as plain text: entities decoded (at most twice), HTML tags stripped, controls removed, whitespace collapsed. */
export function cleanTitle(raw: string): string {
  // Inline tags go without a trace ("<b>Acme</b>'s" → "Acme's", as Google Alerts writes them); block tags leave a space.
  return sanitizeText(decodeEntities(raw).replace(KNOWN_TAG, (tag) => (STARTS_BLOCK_TAG.test(tag) ? ' ' : '')));
}

/** HTML to plain text: script/style dropped, tags removed (block tags as spaces), entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  const strip = (s: string): string =>
    replaceSpans(s, HIDDEN_OPEN, (m) => HIDDEN_CLOSE[(m[1] ?? '--').toLowerCase()] ?? null, () => ' ', () => ' ')
      .replace(BLOCK_TAG, ' ')
      .replace(ANY_TAG, '');
  let text = decodeEntities(strip(html));
  // Double-escaped HTML (`&lt;p&gt;` inside the XML text) decodes to tags: strip those too.
  if (HAS_KNOWN_TAG.test(text)) text = strip(text);
  return sanitizeText(text);
}

/** Cuts text to at most `max` characters at a word boundary, marking the cut with "…". */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  if (space > max / 2) cut = cut.slice(0, space);
  else if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

// ---------------------------------------------------------------------------------------------
// URLs

function tryUrl(text: string | undefined): URL | null {
  if (text === undefined) return null;
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** An absolute http/https/file URL for `href` resolved against `base`; null for javascript:, junk, or relative without base. */
export function resolveLink(href: string | undefined | null, base?: string | null): string | null {
  return resolveUrl(href, base ?? null, false)?.href ?? null;
}

function isTrackingParam(pair: string): boolean {
  let name = pair.split('=', 1)[0] ?? '';
  // (a name with neither `%` nor `+` decodes to itself)
  if (name.includes('%') || name.includes('+')) {
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // keep it as written
    }
  }
  name = name.toLowerCase();
  return name.startsWith('utm_') || TRACKING_PARAMS.has(name);
}

/**
 * The publisher's link without fragment and tracking parameters (utm_*, fbclid, gclid...), host in
 * lower case: redirect links (Google Alerts, Bing News, Google News ids that embed the URL) are
 * unwrapped first; the other parameters stay as written and in order. Null for something that is not a URL.
 */
export function canonicalizeUrl(link: string): string | null {
  return canonicalOfUnwrapped(unwrapLink(link));
}

/** What canonicalizeUrl does to a link once it is unwrapped. */
function canonicalOfUnwrapped(link: string): string | null {
  const url = tryUrl(link);
  if (url === null) return null;
  url.hash = '';
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !isTrackingParam(pair));
  url.search = kept.length > 0 ? `?${kept.join('&')}` : '';
  return url.href;
}

/** Host name without a leading `www.`, or null. */
export function hostOf(link: string | null): string | null {
  return hostName(link === null ? null : tryUrl(link));
}

function hostName(url: URL | null): string | null {
  const host = url?.hostname ?? '';
  return host === '' ? null : host.replace(/^www\./i, '').toLowerCase();
}

/** An http(s) URL written out in full: a base would change nothing in it. */
const ABSOLUTE_HTTP = /^https?:\/\//i;

/**
 * resolveLink's URL, or null. `baseIsHref`: the base is a valid URL's href or null (an item's Context.base),
 * so an absolute http(s) link is parsed alone (resolving it against the base gives the same URL, and parses
 * the base too); otherwise an unreadable base makes every link unreadable, as URL itself has it.
 */
function resolveUrl(href: string | undefined | null, base: string | null, baseIsHref: boolean): URL | null {
  const h = href?.trim();
  if (!h) return null;
  let url: URL;
  try {
    url = base === null || (baseIsHref && ABSOLUTE_HTTP.test(h)) ? new URL(h) : new URL(h, base);
  } catch {
    return null;
  }
  return ALLOWED_PROTOCOLS.has(url.protocol) ? url : null;
}

// ---------------------------------------------------------------------------------------------
// Dates

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};
/** Offsets in minutes: RFC 822's zones and a few that feeds use anyway. */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, bst: 60, cet: 60, cest: 120, met: 60, mest: 120, eet: 120, eest: 180,
  msk: 180, jst: 540, kst: 540, aest: 600, aedt: 660,
};

/** [weekday,] day month year [hh:mm[:ss]] [offset | zone name] [(comment)] */
const RFC822_DATE = new RegExp(
  '^(?:[a-z]+\\.?,?\\s*)?(\\d{1,2})[\\s-]+([a-z]{3,})\\.?[\\s-]+(\\d{4}|\\d{2})' +
    '(?:[\\s,T]+(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.\\d+)?)?)?' +
    '\\s*(?:(?:gmt|utc)?\\s*([+-]\\d{2}:?\\d{2})|([a-z]{1,5}))?\\s*(?:\\([^)]*\\))?$',
  'i',
);

function offsetMinutes(zone: string): number {
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.replace(/[^0-9]/g, '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offset: number): number | null {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return null;
  // (utcDay: years 0–99 are those years, not 1900–1999 as Date.UTC has them)
  const t = utcDay(y, mo + 1, d) + ((h * 60 + mi) * 60 + Math.min(s, 59)) * 1000 + ms - offset * 60_000;
  return Number.isFinite(t) ? t : null;
}

/**
 * A feed date as epoch ms UTC, or null. Reads ISO 8601 (no zone means UTC) and RFC 822 including
 * the usual breakage: no seconds, two-digit years, named zones (EST, PDT, GMT, UT...), no weekday.
 */
export function parseDate(text: string): number | null {
  const s = text.trim();
  if (s === '' || s.length > 100) return null;
  let t: number | null = null;
  let m: RegExpExecArray | null;
  if (isIsoTime(s)) {
    t = parseIsoTime(s, { lenient: true });
  } else if ((m = RFC822_DATE.exec(s))) {
    const month = MONTHS[m[2]!.slice(0, 3).toLowerCase()];
    let year = +m[3]!;
    if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
    const offset = m[7] ? offsetMinutes(m[7]) : (ZONES[(m[8] ?? 'utc').toLowerCase()] ?? 0);
    if (month !== undefined) t = utc(year, month, +m[1]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), 0, offset);
  } else {
    // Anything else ("June 10, 2003 4:00 PM EDT"): the engine's parser, read as UTC when no zone is given.
    const hasZone = /(?:\b(?:gmt|utc|ut|z|[ecmp][sd]t)|[+-]\d{2}:?\d{2})\s*(?:\([^)]*\))?$/i.test(s);
    const parsed = Date.parse(hasZone ? s : `${s} UTC`);
    t = Number.isFinite(parsed) ? parsed : null;
  }
  // The epoch itself (or before) is a placeholder, not a date.
  return t !== null && t > 0 ? t : null;
}

/** Whether the text is in a form parseDate reads itself (ISO 8601, RFC 822), whatever time it names. */
function readsAsDate(text: string): boolean {
  const s = text.trim();
  return isIsoTime(s) || RFC822_DATE.test(s);
}

/** The item's date, epoch ms UTC; null when undated, unreadable or future-dated (the caller then uses the fetch time, flagged). */
function pickDate(candidates: (string | undefined)[], fallbackIso: string | undefined, fetchedAt: number): number | null {
  let t: number | null = null;
  for (const c of candidates) {
    if (c !== undefined && (t = parseDate(c)) !== null) break;
  }
  // rss-parser's reading (JavaScript's Date) only of a date in no form read here: one read here as a
  // placeholder or an impossible date stays undated (Date takes .NET's "Mon, 01 Jan 0001" for 2001)
  if (t === null && fallbackIso !== undefined && !candidates.some((c) => c !== undefined && readsAsDate(c))) {
    const iso = Date.parse(fallbackIso);
    if (Number.isFinite(iso) && iso > 0) t = iso;
  }
  // Undated, unreadable or future-dated (which would distort "now"): the fetch time, flagged.
  return t === null || t > fetchedAt + FUTURE_SLACK_MS ? null : t;
}

// ---------------------------------------------------------------------------------------------
// Items

/** A stable id for an item with neither guid nor link. */
export function stableGuid(title: string, date: string): string {
  return `sha1:${createHash('sha1').update(`${title}\n${date}`).digest('hex')}`;
}

/** hnrss.org's footer of every item (its thread's address, points and comment count). */
const HN_FOOTER = /(?:^|\s)(?:Article URL: \S+|Comments URL: https:\/\/news\.ycombinator\.com\/item\?id=\d+|Points: \d+|# Comments: \d+)(?=\s|$)/g;

/**
 * A Hacker News item's text without hnrss's footer ("Article URL: … Comments URL: … Points: 112 # Comments: 48"):
 * it is all a story's summary says, and its words were matched as the item's (every story linking to github.com was
 * about a topic "github"; "comments" matched every item) and scored for tone.
 */
function withoutHnFooter(text: string): string {
  if (!text.includes('Comments URL: https://news.ycombinator.com/item?id=')) return text;
  return text.replace(HN_FOOTER, '').trim();
}

/** "Headline - Outlet" → "Headline" when Outlet is the item's known source (Google News style). */
export function stripSourceSuffix(title: string, source: string): string {
  const lower = title.toLowerCase();
  for (const sep of PUBLISHER_SEPARATORS) {
    const suffix = `${sep}${source}`.toLowerCase();
    if (lower.length > suffix.length && lower.endsWith(suffix)) return title.slice(0, -suffix.length).trim();
  }
  return title;
}

/** What each format's reader extracts, before cleaning. */
interface RawItem {
  guid?: string | undefined;
  title?: string | undefined;
  link?: string | undefined;
  /** HTML or text, best first. */
  summaries: (string | undefined)[];
  author?: string | undefined;
  /** Date strings, best first. */
  dates: (string | undefined)[];
  isoDate?: string | undefined;
  sourceName?: string | undefined;
  sourceUrl?: string | undefined;
}

interface Context {
  /** A valid absolute URL's href (the feed's link or URL), or null. */
  base: string | null;
  fetchedAt: number;
}

function cleanAuthor(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const text = cleanTitle(raw);
  // RSS <author> is an e-mail address, often with the name in parentheses.
  const named = /^\S+@\S+\s*\((.+)\)$/.exec(text);
  return (named ? named[1]!.trim() : text) || null;
}

function finishItem(raw: RawItem, ctx: Context): ParsedItem | null {
  const rawTitle = raw.title?.trim() ?? '';
  let title = cleanTitle(rawTitle);
  // A redirect link (Google Alerts, Bing News, Google News) becomes the publisher's: that is where a click should land.
  const resolved = resolveUrl(raw.link, ctx.base, true)?.href ?? null;
  const link = resolved === null ? null : unwrapLink(resolved);
  if (title === '' && link === null) return null;

  let summary = '';
  for (const candidate of raw.summaries) {
    if (candidate && (summary = withoutHnFooter(htmlToText(candidate))) !== '') break;
  }
  summary = truncate(summary, SUMMARY_MAX);

  const fullSource = raw.sourceName === undefined ? null : cleanTitle(raw.sourceName) || null;
  if (fullSource !== null) title = stripSourceSuffix(title, fullSource);
  const source = fullSource === null ? null : truncate(fullSource, NAME_MAX);
  if (title === '') title = truncate(summary, TITLE_FROM_SUMMARY_MAX) || (link ?? '');
  title = truncate(title, TITLE_MAX);

  // (a link unwrapLink left as it was is not unwrapped again)
  const canonicalUrl = link === null ? null : canonicalOfUnwrapped(link === resolved ? link : unwrapLink(link));
  const firstDate = raw.dates.find((d) => d !== undefined && d.trim() !== '');
  const guid = raw.guid?.trim() || canonicalUrl || stableGuid(rawTitle, firstDate?.trim() ?? '');
  const author = cleanAuthor(raw.author);
  // RSS <author> (`jane@acme.com (Jane Doe)`) and Atom/JSON authors may carry an e-mail: kept for account matching
  const authorEmail = emailIn(raw.author);
  // (a URL's href parses back to the same URL: its host is read from the URL the source's link was parsed into)
  const sourceDomain = hostName(resolveUrl(raw.sourceUrl, ctx.base, true)) ?? hostOf(link);
  const date = pickDate(raw.dates, raw.isoDate, ctx.fetchedAt);
  const publishedAt = date ?? ctx.fetchedAt;
  const dateEstimated = date === null;
  // each field written out, authorEmail only when there is one (a spread in an object literal builds it key by
  // key in the runtime: several times the cost of the literal)
  return authorEmail
    ? { guid, title, summary, link, canonicalUrl, author, authorEmail, source, sourceDomain, publishedAt, dateEstimated }
    : { guid, title, summary, link, canonicalUrl, author, source, sourceDomain, publishedAt, dateEstimated };
}

// ---------------------------------------------------------------------------------------------
// Reading xml2js/rss-parser values

/** The text of whatever xml2js made of an element: "x", {_: "x", $: {...}}, ["x"]. */
function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return str(value[0]);
  if (value !== null && typeof value === 'object' && '_' in value) return str(value._);
  return undefined;
}

function attr(value: unknown, name: string): string | undefined {
  if (Array.isArray(value)) return attr(value[0], name);
  if (value !== null && typeof value === 'object' && '$' in value && value.$ !== null && typeof value.$ === 'object') {
    return str((value.$ as Record<string, unknown>)[name]);
  }
  return undefined;
}

/** RSS `<source url="...">Outlet</source>`, or Atom `<source><title>…</title><link href="…"/></source>`. */
function readSource(value: unknown): { name?: string | undefined; url?: string | undefined } {
  const el: unknown = Array.isArray(value) ? value[0] : value;
  if (el !== null && typeof el === 'object' && ('title' in el || 'link' in el)) {
    const atom = el as { title?: unknown; link?: unknown };
    return { name: str(atom.title), url: attr(atom.link, 'href') };
  }
  return { name: str(el), url: attr(el, 'url') };
}

function isHttpUrl(text: string | undefined): boolean {
  return text !== undefined && /^https?:\/\/\S+$/i.test(text.trim());
}

type RssItem = Record<string, unknown>;

function rssItem(item: RssItem): RawItem {
  const guid = str(item.guid) ?? str(item.id);
  // An RSS guid is a permalink unless it says otherwise: the link of last resort.
  const guidIsLink = isHttpUrl(guid) && attr(item.guidEl, 'isPermaLink')?.trim().toLowerCase() !== 'false';
  const source = readSource(item.sourceEl);
  return {
    guid,
    title: str(item.title),
    link: str(item.link) ?? attr(item.link, 'href') ?? (guidIsLink ? guid : undefined),
    summaries: [str(item.summary), str(item.content), str(item['content:encoded']), str(item.contentSnippet)],
    author: str(item.creator) ?? str(item.author) ?? str(item['dc:creator']),
    dates: [item.published, item.updated, item.pubDate, item.date, item.issued, item.modified].map(str),
    isoDate: str(item.isoDate),
    sourceName: source.name ?? str(item.newsSource),
    sourceUrl: source.url,
  };
}

// ---------------------------------------------------------------------------------------------
// Preparing XML

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
/** Characters XML 1.0 forbids anywhere (controls other than tab, LF, CR; U+FFFE/U+FFFF). */
const ILLEGAL_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
/** What needs attention: CDATA and comments, DOCTYPE, every `&`, and a `<` that cannot start markup ("a < b", "x<3"). */
const XML_SPECIAL = /<!\[CDATA\[|<!--|<!DOCTYPE\b|<(?=[\s\d=<&"'.,;()-]|$)|&/gi;
const ENTITY_AT = /&(?:#(\d{1,7});|#x([0-9a-f]{1,6});|([a-z][a-z0-9]{0,31});)?/iy;
const DOCTYPE_BODY = /[[>]/g;
const DOCTYPE_SUBSET_END = /\]\s*>/g;

/**
 * Atom `type="xhtml"` content is markup inside the XML; xml2js would scramble its mixed content
 * ("Fixes <em>many</em> bugs." → "Fixes  bugs.<em>many</em>"), so it is escaped into `type="html"` text.
 */
const XHTML_OPEN = /<(title|subtitle|summary|content)(\s[^<>]*?)\btype\s*=\s*["']xhtml["']([^<>]*?)(\/?)>/g;
const XHTML_CLOSE: Record<string, RegExp> = {
  title: /<\/title\s*>/g,
  subtitle: /<\/subtitle\s*>/g,
  summary: /<\/summary\s*>/g,
  content: /<\/content\s*>/g,
};

function escapeXhtml(opening: RegExpExecArray, inner: string): string {
  const [, tag, before, after] = opening;
  const escaped = inner.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<${tag}${before}type="html"${after}>${escaped}</${tag}>`;
}

function isXmlChar(cp: number): boolean {
  if (cp < 0x20) return cp === 0x9 || cp === 0xa || cp === 0xd;
  return cp <= 0xd7ff || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** A reference that XML knows and allows stays; an HTML one becomes numeric; anything else is escaped or dropped. */
function fixEntity(match: string, dec: string | undefined, hex: string | undefined, name: string | undefined): string {
  if (dec !== undefined || hex !== undefined) {
    return isXmlChar(dec !== undefined ? parseInt(dec, 10) : parseInt(hex!, 16)) ? match : '';
  }
  if (name === undefined) return '&amp;';
  if (XML_ENTITIES.has(name)) return match;
  const decoded = decodeHTMLStrict(match);
  if (decoded === match) return `&amp;${name};`;
  return [...decoded].map((ch) => `&#${ch.codePointAt(0)};`).join('');
}

/** The index just past a DOCTYPE's closing `>` (after any internal subset), or -1. */
function doctypeEnd(xml: string, from: number): number {
  DOCTYPE_BODY.lastIndex = from;
  const m = DOCTYPE_BODY.exec(xml);
  if (m === null) return -1;
  if (m[0] === '>') return m.index + 1;
  DOCTYPE_SUBSET_END.lastIndex = m.index + 1;
  const end = DOCTYPE_SUBSET_END.exec(xml);
  return end === null ? -1 : end.index + end[0].length;
}

/**
 * Makes feed XML safe and parseable: removes any DOCTYPE with its internal subset (so entity
 * bombs and external entities are never seen, let alone expanded), escapes `&` that does not
 * start an entity reference and `<` that does not start markup, turns HTML named entities into
 * numeric ones, drops characters XML forbids and references to them, and escapes Atom xhtml
 * content. CDATA sections and comments are left as they are; line numbers are preserved. Linear
 * time, whatever the input.
 */
export function sanitizeXml(xml: string): string {
  const clean = xml.replace(ANSI_ESCAPE, '').replace(ILLEGAL_XML_CHARS, '');
  // (XHTML_OPEN cannot match without the word: most feeds skip a pass over the whole text)
  const src = !clean.includes('xhtml')
    ? clean
    : replaceSpans(clean, XHTML_OPEN, (m) => (m[4] === '/' ? null : (XHTML_CLOSE[m[1]!] ?? null)), escapeXhtml, (rest) => rest);
  // Only what changes is cut and copied: most feeds' every `&` starts one of XML's own references, and
  // such a feed comes back as the very string it came in as (no copy of the document, no rope to flatten).
  let out = '';
  /** How far `src` has been copied to `out`. */
  let copied = 0;
  let i = 0;
  for (;;) {
    XML_SPECIAL.lastIndex = i;
    // test, not exec: no match array for each of a feed's ~1,600 references; the token is told by its last character
    if (!XML_SPECIAL.test(src)) return out + src.slice(copied);
    const m = specialAt(src, XML_SPECIAL.lastIndex);
    const token = m[0];
    if (token === '&') {
      const known = xmlEntityAt(src, m.index);
      if (known > 0) {
        i = m.index + known;
        continue;
      }
      ENTITY_AT.lastIndex = m.index;
      const e = ENTITY_AT.exec(src)!;
      const fixed = fixEntity(e[0], e[1], e[2], e[3]);
      i = m.index + e[0].length;
      if (fixed !== e[0]) {
        out += src.slice(copied, m.index) + fixed;
        copied = i;
      }
    } else if (token === '<') {
      out += src.slice(copied, m.index) + '&lt;';
      i = copied = m.index + 1;
    } else if (token === '<!--' || token === '<![CDATA[') {
      const close = token === '<!--' ? '-->' : ']]>';
      const end = src.indexOf(close, m.index + token.length);
      // Unterminated: the parser will say so.
      if (end < 0) return out + src.slice(copied);
      i = end + close.length;
    } else {
      // DOCTYPE: gone, even unterminated; only its newlines stay, so error line numbers still match.
      const end = doctypeEnd(src, m.index + token.length);
      const stop = end < 0 ? src.length : end;
      out += src.slice(copied, m.index) + src.slice(m.index, stop).replace(/[^\n]/g, '');
      i = copied = stop;
    }
  }
}

/**
 * The XML_SPECIAL match ending at `end` (its lastIndex after a test), as `[token]` with its index, told by its last
 * character: `&` and `<` (the lookahead takes nothing) are one character, `<!--` ends in `-`, and the two others
 * are nine. The single-character tokens are two shared objects: nothing is made for them.
 */
function specialAt(src: string, end: number): { 0: string; index: number } {
  switch (src.charCodeAt(end - 1)) {
    case 0x26 /* & */:
      AMP_TOKEN.index = end - 1;
      return AMP_TOKEN;
    case 0x3c /* < */:
      LT_TOKEN.index = end - 1;
      return LT_TOKEN;
    case 0x2d /* - */:
      return { 0: '<!--', index: end - 4 };
    default:
      // `<![CDATA[` or `<!DOCTYPE`, as written (the regex ignores case: `<![cdata[` is no CDATA, as before)
      return { 0: src.slice(end - 9, end), index: end - 9 };
  }
}
const AMP_TOKEN = { 0: '&', index: 0 };
const LT_TOKEN = { 0: '<', index: 0 };

/** The length of `&amp;`, `&lt;`, `&gt;`, `&quot;` or `&apos;` at `at` (as written: lower case), else 0. */
function xmlEntityAt(text: string, at: number): number {
  switch (text.charCodeAt(at + 1)) {
    case 0x61 /* a */:
      return text.startsWith('amp;', at + 1) ? 5 : text.startsWith('apos;', at + 1) ? 6 : 0;
    case 0x6c /* l */:
      return text.startsWith('lt;', at + 1) ? 4 : 0;
    case 0x67 /* g */:
      return text.startsWith('gt;', at + 1) ? 4 : 0;
    case 0x71 /* q */:
      return text.startsWith('quot;', at + 1) ? 6 : 0;
    default:
      return 0;
  }
}

const LEADING_MISC = /^(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*/;

/** The name of the document's first element, or null. */
function rootElement(xml: string): string | null {
  const rest = xml.slice(LEADING_MISC.exec(xml)?.[0].length ?? 0);
  return /^<([A-Za-z_][\w.:-]*)/.exec(rest)?.[1] ?? null;
}

function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 64 * 1024);
  const rest = head.slice(LEADING_MISC.exec(head)?.[0].length ?? 0);
  return /^<(?:!doctype\s+html\b|html[\s>])/i.test(rest);
}

/** The feed an HTML page advertises with `<link rel="alternate" type="application/rss+xml" href>`, or null. */
function advertisedFeed(html: string, base: string | null): string | null {
  for (const [tag] of html.matchAll(/<link\b[^>]*>/gi)) {
    if (!/\btype\s*=\s*["']?application\/(?:rss|atom|feed)\+(?:xml|json)/i.test(tag)) continue;
    const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const link = resolveLink(decodeEntities(href?.[1] ?? href?.[2] ?? href?.[3] ?? ''), base);
    if (link !== null) return link;
  }
  return null;
}

function firstLine(message: string): string {
  return (message.split('\n', 1)[0] ?? '').trim().replace(/\.$/, '');
}

function toFeedError(err: unknown, root: string | null): FeedError {
  if (err instanceof FeedError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const sax = /^([^\n]*?)\.?\nLine: (\d+)/.exec(message);
  if (sax) return new FeedError('parse', `XML is malformed: ${sax[1]} (line ${Number(sax[2]) + 1})`, { cause: err });
  if (message.startsWith('Feed not recognized')) {
    return new FeedError('not-a-feed', `the XML is not an RSS, RDF or Atom feed (its root element is <${root ?? '?'}>)`, {
      hint: 'check that the URL points at the feed itself',
      cause: err,
    });
  }
  if (err instanceof TypeError && (root === 'rss' || root === 'rdf:RDF')) {
    return new FeedError('parse', `the ${root === 'rss' ? 'RSS' : 'RDF'} document has no <channel>`, { cause: err });
  }
  if (message.startsWith('Unable to parse XML')) return new FeedError('empty', 'the feed has no elements', { cause: err });
  // elements in elements tens of thousands deep: the XML reader's recursion ran out of stack
  if (err instanceof RangeError && /call stack/i.test(message)) {
    return new FeedError('parse', 'XML nested too deep to read (elements inside elements, thousands deep)', { hint: 'a feed is never built so: this is not a feed, or a broken one; tell its publisher', cause: err });
  }
  return new FeedError('parse', `the feed could not be read: ${firstLine(message)}`, { cause: err });
}

/** Tags that rss-parser would turn into dates with `new Date()` (local time; throws on junk): kept raw. */
const RAW_DATE_TAGS = new Set(['published', 'updated', 'issued', 'modified']);

type RssOutput = Record<string, unknown> & { items: RssItem[]; title?: unknown; link?: unknown };

const renameDateTag = (name: string): string => (RAW_DATE_TAGS.has(name) ? `raw:${name}` : name);

interface XmlParser {
  parseString(xml: string, done: (err: unknown, result: unknown) => void): void;
}

/** Whether the fast XML reader may be used (tests turn it off to compare it with xml2js). */
let fastXml = true;
export function useFastXml(on: boolean): void {
  fastXml = on;
}

/** Thrown by a slice's parse when the fast reader is not sure of it: the whole document is parsed instead. */
class SliceUnsure extends Error {}

type FeedParser = Parser<Record<string, unknown>, RssItem>;

function newParser(): FeedParser {
  return new Parser<Record<string, unknown>, RssItem>({
    defaultRSS: 2,
    xml2js: { tagNameProcessors: [renameDateTag] },
    customFields: {
      feed: ['ttl'],
      item: [
        // keepArray so the url attribute survives: [{_: 'Outlet', $: {url}}].
        ['source', 'sourceEl', { keepArray: true }],
        ['guid', 'guidEl', { keepArray: true }],
        // Bing News names the publisher in its own namespace: <News:Source>Outlet</News:Source>
        ['News:Source', 'newsSource'],
        ...[...RAW_DATE_TAGS].map((tag) => [`raw:${tag}`, tag]),
      ],
    },
  });
}

/**
 * The parser of the fast path, one for the process. rss-parser keeps no state between parses; its xml2js
 * parser does (a reused one carries the last parse's state), and making one per document (an xml2js
 * options copy, a sax parser) cost more than reading the document's tree: its `xmlParser` is replaced at
 * each parse, and a document the fast reader cannot read goes to a fresh parser's xml2js, as before.
 */
let shared: FeedParser | undefined;

/** `onlyFast`: the fast reader or nothing (a slice of a document; see parseInSlices). */
async function runRssParser(xml: string, onlyFast = false): Promise<RssOutput> {
  let parser: FeedParser;
  if (fastXml) {
    // the fast reader where it is sure to build what xml2js builds; else xml2js itself
    parser = shared ??= newParser();
    (parser as unknown as { xmlParser: XmlParser }).xmlParser = {
      parseString: (text, done) => {
        const tree = readXml(text, renameDateTag);
        if (tree === undefined && onlyFast) done(new SliceUnsure(), undefined);
        else if (tree === undefined) (newParser() as unknown as { xmlParser: XmlParser }).xmlParser.parseString(text, done);
        else done(null, tree);
      },
    };
  } else {
    // A fresh parser per document: a reused one keeps state from the previous parse.
    parser = newParser();
  }
  const parsing = parser.parseString(xml) as Promise<RssOutput>;
  // xml2js parses synchronously: a promise still pending once the event loop turns never settles.
  let check: NodeJS.Immediate | undefined;
  const stalled = new Promise<never>((_, reject) => {
    check = setImmediate(() => reject(new FeedError('parse', 'the XML parser did not finish')));
  });
  try {
    return await Promise.race([parsing, stalled]);
  } finally {
    // Cleared once settled: a pending check holds the race, so the parsed feed and, through the strings
    // sliced from it, the whole document, until the event loop turns. A parse worker whose port always
    // has the next body waiting turns it seldom: it held hundreds of parsed feeds (~220 KB each).
    clearImmediate(check);
  }
}

/**
 * A document of at least 1 Mi characters is parsed in slices of 500 items when it can
 * be split surely (splitItems): the tree of a whole 10 MB feed of 10,000 items (and rss-parser's items
 * made from it) weighed several times the document in a parse worker's heap, two such at once ~300 MB
 * of the process; a slice's tree is a few MB. Smaller documents (every feed of a few hundred items) are
 * parsed whole, as before.
 */
const SLICING = { minChars: 1 << 20, items: 500 };
/** Tests and the bench slice small documents too, or none (minChars Infinity), to compare with whole parses. */
export function setSlicing(o: { minChars?: number; items?: number }): void {
  Object.assign(SLICING, o);
}

/** Where a document's items are: the text before the first, each item's [start, end), the text after the last. */
export interface ItemSpans {
  head: number;
  spans: number[];
  tail: number;
}

/** Markup that may hide a `<item` from a plain search, and the item tags themselves. */
const ITEM_SCAN: Record<string, RegExp> = {
  item: /<!\[CDATA\[|<!--|<\?|<item(?=[\s/>])|<\/item[ \t\r\n]*>/g,
  entry: /<!\[CDATA\[|<!--|<\?|<entry(?=[\s/>])|<\/entry[ \t\r\n]*>/g,
};
const ANY_ITEM_TAG: Record<string, RegExp> = { item: /<\/?item(?=[\s/>])/, entry: /<\/?entry(?=[\s/>])/ };
/** An opening tag's attributes and its end (attribute values may hold `>`). */
const OPEN_TAG_REST = /(?:[ \t\r\n]+[^\s=/>]+[ \t\r\n]*=[ \t\r\n]*(?:"[^"]*"|'[^']*'))*[ \t\r\n]*(\/?)>/y;
const SKIP_TO: Record<string, string> = { '<![CDATA[': ']]>', '<!--': '-->', '<?': '?>' };
const BLANK_RUN = /[ \t\r\n]*/y;

/**
 * The spans of a feed's items (RSS and RDF `<item>`, Atom `<entry>`), or null when the split is not
 * sure: the items must follow one another with only whitespace between them, none may hold another,
 * and none may come after the first other element that follows them. CDATA, comments and processing
 * instructions are stepped over, wherever they are. Each slice (head + some items + tail) is then a
 * document of its own, and the fast reader must read every one of them, or the whole is parsed as one.
 */
export function splitItems(xml: string, root: string | null): ItemSpans | null {
  const tag = root === 'feed' ? 'entry' : root === 'rss' || root === 'rdf:RDF' ? 'item' : null;
  if (tag === null) return null;
  const scan = ITEM_SCAN[tag]!;
  const open = `<${tag}`;
  // the next item tag (opening or closing) at or after `from`, stepping over CDATA, comments and PIs
  const nextTag = (from: number): RegExpExecArray | null => {
    scan.lastIndex = from;
    for (;;) {
      const m = scan.exec(xml);
      if (m === null) return null;
      const close = SKIP_TO[m[0]];
      if (close === undefined) return m;
      const end = xml.indexOf(close, m.index + m[0].length);
      if (end < 0) return null;
      scan.lastIndex = end + close.length;
    }
  };
  const first = nextTag(0);
  if (first === null || first[0] !== open) return null;
  const spans: number[] = [];
  let at = first.index;
  for (;;) {
    OPEN_TAG_REST.lastIndex = at + open.length;
    const o = OPEN_TAG_REST.exec(xml);
    if (o === null) return null;
    let end = OPEN_TAG_REST.lastIndex;
    if (o[1] !== '/') {
      const c = nextTag(end);
      if (c === null || c[0] === open) return null; // unclosed, or an item inside an item
      end = c.index + c[0].length;
    }
    spans.push(at, end);
    BLANK_RUN.lastIndex = end;
    BLANK_RUN.exec(xml);
    const after = BLANK_RUN.lastIndex;
    if (xml.startsWith(open, after) && /[\s/>]/.test(xml.charAt(after + open.length))) {
      at = after;
      continue;
    }
    // after the items: no item tag anywhere further on (not even in CDATA or a comment)
    const tail = spans[spans.length - 1]!;
    if (ANY_ITEM_TAG[tag]!.test(xml.slice(tail))) return null;
    return { head: first.index, spans, tail };
  }
}

/**
 * rss-parser's output for each slice of `SLICING.items` items, given to `each` in order (the first slice's
 * output gives the feed's own fields); false when a slice is not one the fast reader is sure of (the
 * caller then parses the whole document), after which `each` may have been called for some slices.
 */
async function parseInSlices(xml: string, parts: ItemSpans, each: (out: RssOutput) => void): Promise<boolean> {
  const head = xml.slice(0, parts.head);
  const tail = xml.slice(parts.tail);
  const count = parts.spans.length / 2;
  for (let k = 0; k < count; k += SLICING.items) {
    const last = Math.min(count, k + SLICING.items) - 1;
    const slice = head + xml.slice(parts.spans[2 * k]!, parts.spans[2 * last + 1]!) + tail;
    let out: RssOutput;
    try {
      out = await runRssParser(slice, true);
    } catch {
      return false;
    }
    each(out);
  }
  return true;
}

async function parseXmlFeed(text: string, opts: ParseOptions): Promise<ParsedFeed> {
  const xml = sanitizeXml(text);
  const root = rootElement(xml);
  const feedUrl = tryUrl(opts.url)?.href ?? null;
  let first: RssOutput | undefined;
  let ctx: Context | undefined;
  let items: ParsedItem[] = [];
  const finish = (out: RssOutput): void => {
    if (ctx === undefined) {
      first = out;
      ctx = { base: resolveLink(str(out.link), feedUrl) ?? feedUrl, fetchedAt: opts.fetchedAt };
    }
    for (const item of out.items) {
      const parsed = finishItem(rssItem(item), ctx);
      if (parsed !== null) items.push(parsed);
    }
    out.items = [];
  };
  const parts = fastXml && xml.length >= SLICING.minChars ? splitItems(xml, root) : null;
  if (parts === null || !(await parseInSlices(xml, parts, finish))) {
    first = ctx = undefined;
    items = [];
    let whole: RssOutput;
    try {
      whole = await runRssParser(xml);
    } catch (err) {
      throw toFeedError(err, root);
    }
    finish(whole);
  }
  const out = first!;
  const format: FeedFormat = root === 'feed' ? 'atom' : /(?:^|:)RDF$/.test(root ?? '') ? 'rdf' : 'rss';
  const link = resolveLink(str(out.link), feedUrl);
  const ttl = Number(str(out.ttl));
  const ttlMs = Number.isFinite(ttl) && ttl > 0 ? Math.round(ttl * 60_000) : null;
  return { title: truncate(cleanTitle(str(out.title) ?? ''), NAME_MAX) || null, link, format, items, ttlMs, language: str(out.language)?.trim() || null };
}

// ---------------------------------------------------------------------------------------------
// JSON Feed

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function parseJsonFeed(text: string, opts: ParseOptions): ParsedFeed {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new FeedError('parse', `JSON is malformed: ${sanitizeText(firstLine((err as Error).message))}`, { cause: err });
  }
  const feed = record(doc);
  if (!/^https?:\/\/jsonfeed\.org\/version\/1/.test(str(feed.version) ?? '')) {
    throw new FeedError('not-a-feed', 'got JSON that is not a JSON Feed', {
      hint: 'check that the URL points at an RSS, Atom or JSON Feed document',
    });
  }
  // items is the feed's one required list: anything else is a broken feed, not an empty one
  if (!Array.isArray(feed.items)) {
    const got = feed.items === undefined ? 'missing' : feed.items === null ? 'null' : `${typeof feed.items === 'object' ? 'an object' : `a ${typeof feed.items}`}, not a list`;
    throw new FeedError('parse', `the JSON Feed's "items" is ${got}`, {
      hint: 'a JSON Feed lists its items in an array ("items": [...]): tell the feed\'s publisher',
    });
  }
  const feedUrl = tryUrl(opts.url)?.href ?? null;
  const link = resolveLink(str(feed.home_page_url), feedUrl);
  const ctx: Context = { base: link ?? feedUrl, fetchedAt: opts.fetchedAt };
  const items: ParsedItem[] = [];
  for (const value of feed.items) {
    const item = record(value);
    const authors = Array.isArray(item.authors) ? item.authors : [item.author];
    const parsed = finishItem(
      {
        guid: str(item.id),
        title: str(item.title),
        link: str(item.url) ?? str(item.external_url),
        summaries: [str(item.summary), str(item.content_text), str(item.content_html)],
        author: str(record(authors[0]).name),
        dates: [str(item.date_published), str(item.date_modified)],
      },
      ctx,
    );
    if (parsed !== null) items.push(parsed);
  }
  return { title: truncate(cleanTitle(str(feed.title) ?? ''), NAME_MAX) || null, link, format: 'json', items, ttlMs: null, language: str(feed.language)?.trim() || null };
}

/**
 * An item from a plain JSON record (a line of an ndjson source), cleaned like a feed's items: fields,
 * best first, `id`/`guid`, `title`, `url`/`link`, `summary`/`text`/`content` (HTML or text), `author`
 * (a string or `{ name }`), `date`/`published`/`published_at`/`created_at` (ISO-8601, RFC 822 or epoch
 * seconds or ms), `source` (the outlet's name) and `source_url`. Null when it has neither title nor link.
 */
export function itemFromRecord(rec: Record<string, unknown>, fetchedAt: number): ParsedItem | null {
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined);
  const date = (v: unknown): string | undefined => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return text(v);
    const ms = v < 1e11 ? v * 1000 : v; // epoch seconds or milliseconds
    return Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : undefined;
  };
  const author = rec.author !== null && typeof rec.author === 'object' ? text(record(rec.author).name) : text(rec.author);
  return finishItem(
    {
      guid: text(rec.id) ?? text(rec.guid),
      title: text(rec.title),
      link: text(rec.url) ?? text(rec.link),
      summaries: [text(rec.summary), text(rec.text), text(rec.content)],
      author,
      dates: [date(rec.date), date(rec.published), date(rec.published_at), date(rec.created_at)],
      sourceName: text(rec.source),
      sourceUrl: text(rec.source_url),
    },
    { base: null, fetchedAt },
  );
}

// ---------------------------------------------------------------------------------------------

/**
 * Parses a feed document (already decoded to text). Throws FeedError: 'empty' for a blank document,
 * 'not-a-feed' for an HTML page or a document of another kind, 'parse' for malformed XML or JSON.
 */
export async function parseFeed(text: string, opts: ParseOptions): Promise<ParsedFeed> {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new FeedError('empty', 'the feed is empty');
  if (/^\s*[{[]/.test(body)) return parseJsonFeed(body, opts);
  if (looksLikeHtml(body)) {
    const feed = advertisedFeed(body, tryUrl(opts.url)?.href ?? null);
    throw new FeedError('not-a-feed', 'got an HTML page, not a feed', {
      hint: feed
        ? `the page links to a feed at ${feed}: use that URL`
        : 'the URL points at a web page; use the address of its RSS or Atom feed',
    });
  }
  return parseXmlFeed(body, opts);
}
